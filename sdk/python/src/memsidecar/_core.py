"""What the sync and asyncio clients share: the method table built from the generated descriptors,
the channel's target, credentials and options, and conversions of Python values to messages."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Mapping, Union

import grpc
from google.protobuf import duration_pb2, message_factory, timestamp_pb2

from memsidecar.admin.v1 import admin_pb2
from memsidecar.artifact.v1 import artifact_pb2
from memsidecar.episodic.v1 import episodic_pb2
from memsidecar.graph.v1 import graph_pb2
from memsidecar.kv.v1 import kv_pb2
from memsidecar.lease.v1 import lease_pb2
from memsidecar.recall.v1 import recall_pb2
from memsidecar.semantic.v1 import semantic_pb2

CAPABILITY_HEADER = "x-memsidecar-capability"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024

_MODULES = (kv_pb2, episodic_pb2, semantic_pb2, artifact_pb2, lease_pb2, graph_pb2, admin_pb2, recall_pb2)


@dataclass(frozen=True)
class Method:
    path: str
    request: Any
    response: Any
    client_streaming: bool
    server_streaming: bool


def _methods() -> dict[str, Method]:
    table: dict[str, Method] = {}
    for module in _MODULES:
        for service in module.DESCRIPTOR.services_by_name.values():
            for m in service.methods:
                table[f"{service.name}.{m.name}"] = Method(
                    f"/{service.full_name}/{m.name}",
                    message_factory.GetMessageClass(m.input_type),
                    message_factory.GetMessageClass(m.output_type),
                    m.client_streaming, m.server_streaming)
    return table


METHODS = _methods()


def callables(channel: Any) -> dict[str, Any]:
    """A multicallable per method on a channel (``grpc.Channel`` or ``grpc.aio.Channel``, whose
    factories are alike), built once per client."""
    out = {}
    for name, m in METHODS.items():
        factory = {(False, False): channel.unary_unary, (False, True): channel.unary_stream,
                   (True, False): channel.stream_unary, (True, True): channel.stream_stream}
        out[name] = factory[(m.client_streaming, m.server_streaming)](
            m.path, request_serializer=m.request.SerializeToString, response_deserializer=m.response.FromString)
    return out

# Calls that are safe to repeat: retried on UNAVAILABLE with jittered exponential backoff by gRPC's
# retry policy (the same set as the Java SDK's). Writes are not, unless made safe per call
# (an episodic append with a dedup_key is retried by the client itself).
IDEMPOTENT = {
    "memsidecar.kv.v1.KV": ["Get", "MultiGet", "Scan", "Delete", "GetAccess"],
    "memsidecar.episodic.v1.Episodic": ["Range"],
    "memsidecar.semantic.v1.Semantic": ["Search", "Get", "Delete"],
    "memsidecar.artifact.v1.Artifact": ["Get", "Stat", "List", "Delete"],
    "memsidecar.lease.v1.Lease": ["Inspect", "List"],
    "memsidecar.graph.v1.Graph": ["GetNode", "Neighbors", "Traverse", "UpsertNodes", "UpsertEdges",
                                  "DeleteNode", "DeleteEdge"],
    "memsidecar.admin.v1.Admin": ["ListNamespaces"],
    "memsidecar.recall.v1.Recall": ["Recall"],
}
RETRY_ATTEMPTS = 4


def service_config(max_attempts: int) -> str:
    names = [{"service": s, "method": m} for s, ms in IDEMPOTENT.items() for m in ms]
    config: dict[str, Any] = {"methodConfig": [{"name": names}]}
    if max_attempts > 1:
        config["methodConfig"][0]["retryPolicy"] = {
            "maxAttempts": max_attempts, "initialBackoff": "0.1s", "maxBackoff": "2s",
            "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]}
    return json.dumps(config)


def channel_options(max_attempts: int) -> list[tuple[str, Any]]:
    return [("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.enable_retries", 1 if max_attempts > 1 else 0),
            ("grpc.service_config", service_config(max_attempts))]


def deadline_passed(started: float, timeout: float | None) -> bool:
    """Whether a call started at ``started`` (time.monotonic) had run past its timeout."""
    return timeout is not None and time.monotonic() - started >= timeout * 0.99


def token_metadata(token: str | None) -> tuple[tuple[str, str], ...]:
    token = token if token is not None else os.environ.get("MEMSIDECAR_TOKEN", "")
    token = token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise ValueError("memsidecar: a capability token is required (token=… or $MEMSIDECAR_TOKEN)")
    return ((CAPABILITY_HEADER, f"Bearer {token}"),)


def normalize_target(target: str) -> str:
    """``host:port``, ``unix:/path`` (or ``unix:///path``) as gRPC understands them; an http(s)://
    URL is taken as its host and port."""
    for scheme in ("http://", "https://"):
        if target.startswith(scheme):
            return target[len(scheme):].rstrip("/")
    return target


def _read(path: str | os.PathLike[str] | None) -> bytes | None:
    if path is None:
        return None
    with open(path, "rb") as f:
        return f.read()


def credentials(target: str, secure: bool, channel_credentials: grpc.ChannelCredentials | None,
                cert: str | os.PathLike[str] | None, key: str | os.PathLike[str] | None,
                ca: str | os.PathLike[str] | None) -> grpc.ChannelCredentials | None:
    """None for a plaintext channel; TLS when secure, an https:// target, given credentials or PEM paths."""
    if channel_credentials is not None:
        return channel_credentials
    if (cert is None) != (key is None):
        raise ValueError("memsidecar: mTLS needs both cert and key")
    if secure or target.startswith("https://") or ca is not None or cert is not None:
        return grpc.ssl_channel_credentials(root_certificates=_read(ca), private_key=_read(key),
                                            certificate_chain=_read(cert))
    return None


# --- values to messages ---------------------------------------------------------------------------

DurationLike = Union[dt.timedelta, int, float, duration_pb2.Duration]
TimeLike = Union[dt.datetime, int, float, timestamp_pb2.Timestamp]


def duration(value: DurationLike | None) -> duration_pb2.Duration | None:
    """A timedelta, a number of seconds or a Duration; None stays None."""
    if value is None or isinstance(value, duration_pb2.Duration):
        return value
    d = duration_pb2.Duration()
    if isinstance(value, dt.timedelta):
        d.FromTimedelta(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        d.FromNanoseconds(int(round(value * 1_000_000_000)))
    else:
        raise TypeError(f"a duration must be a timedelta, seconds or a Duration, not {type(value).__name__}")
    return d


def seconds(value: DurationLike) -> float:
    d = duration(value)
    assert d is not None
    return d.ToTimedelta().total_seconds()


def timestamp(value: TimeLike | None) -> timestamp_pb2.Timestamp | None:
    """A datetime (naive means UTC), seconds since the epoch or a Timestamp; None stays None."""
    if value is None or isinstance(value, timestamp_pb2.Timestamp):
        return value
    t = timestamp_pb2.Timestamp()
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        t.FromDatetime(value.astimezone(dt.timezone.utc))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        t.FromNanoseconds(int(round(value * 1_000_000_000)))
    else:
        raise TypeError(f"a time must be a datetime, epoch seconds or a Timestamp, not {type(value).__name__}")
    return t


def as_bytes(value: bytes | bytearray | memoryview | str) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"a value must be bytes or str, not {type(value).__name__}")


def enum(enum_type: Any, prefix: str, value: int | str | None) -> Any:
    """An enum value given as its number, its full name (``DIRECTION_OUT``) or its short name (``out``)."""
    if value is None:
        return 0
    if isinstance(value, str):
        name = value.upper()
        if not name.startswith(prefix):
            name = prefix + name
        try:
            return int(enum_type.Value(name))
        except ValueError:
            choices = ", ".join(n[len(prefix):].lower() for n in enum_type.keys()[1:])
            raise ValueError(f"{value!r} is not one of {choices}") from None
    return int(value)


def message(cls: Any, value: Any) -> Any:
    """A message given as itself or as a dict of its fields."""
    if isinstance(value, cls):
        return value
    if isinstance(value, Mapping):
        return cls(**value)
    raise TypeError(f"expected {cls.DESCRIPTOR.name} or a dict, not {type(value).__name__}")
