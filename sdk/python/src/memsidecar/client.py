"""The blocking client: ``MemSidecar(target, token=…)`` with one attribute per block."""

from __future__ import annotations

import io
import os
import random
import time
from typing import IO, Any, Generic, Iterable, Iterator, Mapping, Sequence, TypeVar

import grpc

from memsidecar import _artifacts, _core
from memsidecar import _requests as rq
from memsidecar._core import DurationLike, TimeLike
from memsidecar.admin.v1 import admin_pb2
from memsidecar.artifact.v1 import artifact_pb2
from memsidecar.episodic.v1 import episodic_pb2
from memsidecar.errors import MemSidecarError, Unavailable, from_rpc_error
from memsidecar.graph.v1 import graph_pb2
from memsidecar.kv.v1 import kv_pb2
from memsidecar.lease.v1 import lease_pb2
from memsidecar.recall.v1 import recall_pb2
from memsidecar.semantic.v1 import semantic_pb2

T = TypeVar("T")
Metadata = Mapping[str, str]
_DEFAULT: Any = object()  # "the client's default timeout"


class _Calls:
    """A channel, the token, and the method callables built from the descriptors."""

    def __init__(self, channel: grpc.Channel, metadata: tuple[tuple[str, str], ...], timeout: float | None) -> None:
        self.channel = channel
        self.metadata = metadata
        self.timeout = timeout
        self._fns = _core.callables(channel)

    def _timeout(self, timeout: Any) -> float | None:
        return self.timeout if timeout is _DEFAULT else timeout

    def unary(self, name: str, request: Any, timeout: Any = _DEFAULT) -> Any:
        seconds = self._timeout(timeout)
        started = time.monotonic()
        try:
            return self._fns[name](request, timeout=seconds, metadata=self.metadata)
        except grpc.RpcError as e:
            raise from_rpc_error(e, name, _core.deadline_passed(started, seconds)) from None

    def stream(self, name: str, request: Any, timeout: Any = None) -> "Stream[Any]":
        """Server streams have no deadline unless one is given: a tail or a big Get may run long."""
        call = self._fns[name](request, timeout=None if timeout is _DEFAULT else timeout,
                                    metadata=self.metadata)
        return Stream(call, name)


class Stream(Iterator[T], Generic[T]):
    """A server stream: iterate it; ``close()`` (or leaving a ``with`` block, or breaking out of a
    ``for`` loop over ``with``) cancels the call if it is still running."""

    def __init__(self, call: Any, name: str) -> None:
        self._call = call
        self._name = name
        self._done = False

    def __iter__(self) -> "Stream[T]":
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        try:
            return next(self._call)
        except StopIteration:
            self._done = True
            raise
        except grpc.RpcError as e:
            cancelled_by_us = self._done
            self._done = True
            if cancelled_by_us:
                raise StopIteration from None
            raise from_rpc_error(e, self._name) from None

    def close(self) -> None:
        # Only a call still running is cancelled: a RST_STREAM after the server's end of stream is
        # legal HTTP/2, but the server's HTTP/2 listener answers it with GOAWAY.
        if not self._done:
            self._done = True
            self._call.cancel()

    cancel = close

    def __enter__(self) -> "Stream[T]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class MemSidecar:
    """A connection to a memsidecar.

    ``target`` is ``host:port``, ``unix:/path/to.sock`` or an ``http(s)://`` URL. ``token`` defaults to
    ``$MEMSIDECAR_TOKEN``. TLS: ``secure=True`` (system roots), ``channel_credentials``, or PEM paths
    ``ca`` (and ``cert`` + ``key`` for mTLS). ``timeout`` is the default deadline of unary calls in
    seconds (``None``: none). Reads are retried on UNAVAILABLE up to ``max_attempts`` times.

    >>> with MemSidecar("127.0.0.1:7777", token=token) as m:
    ...     m.kv.put("scratchpad", "hello", b"world", ttl=dt.timedelta(minutes=5))
    ...     m.kv.get("scratchpad", "hello").value
    """

    def __init__(self, target: str, *, token: str | None = None, secure: bool = False,
                 channel_credentials: grpc.ChannelCredentials | None = None,
                 cert: str | os.PathLike[str] | None = None, key: str | os.PathLike[str] | None = None,
                 ca: str | os.PathLike[str] | None = None, timeout: float | None = 30.0,
                 max_attempts: int = _core.RETRY_ATTEMPTS,
                 options: Sequence[tuple[str, Any]] = ()) -> None:
        metadata = _core.token_metadata(token)
        creds = _core.credentials(target, secure, channel_credentials, cert, key, ca)
        address = _core.normalize_target(target)
        opts = _core.channel_options(max_attempts) + list(options)
        channel = (grpc.secure_channel(address, creds, options=opts) if creds is not None
                   else grpc.insecure_channel(address, options=opts))
        self._channel = channel
        calls = _Calls(channel, metadata, timeout)
        self.kv = Kv(calls)
        self.episodic = Episodic(calls)
        self.semantic = Semantic(calls)
        self.artifact = Artifact(calls)
        self.lease = Lease(calls)
        self.graph = Graph(calls)
        self.recall = Recall(calls)
        self.admin = Admin(calls)

    @property
    def channel(self) -> grpc.Channel:
        """The underlying gRPC channel (for your own stubs)."""
        return self._channel

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "MemSidecar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Kv:
    """Versioned values with compare-and-set, TTL and prefix scans."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def put(self, namespace: str, key: str, value: bytes | str, *, ttl: DurationLike | None = None,
            content_type: str = "", metadata: Metadata | None = None, if_version: int | None = None,
            timeout: float | None = _DEFAULT) -> kv_pb2.PutResponse:
        """Stores a value; ``if_version=N`` only over version N, ``if_version=0`` only if absent
        (else :class:`~memsidecar.errors.VersionMismatch`)."""
        return self._c.unary("KV.Put", rq.kv_put(namespace, key, value, ttl, content_type, metadata, if_version),
                             timeout)

    def get(self, namespace: str, key: str, *, timeout: float | None = _DEFAULT) -> kv_pb2.GetResponse:
        """The value and its version; ``found`` is False for a missing or expired key."""
        return self._c.unary("KV.Get", kv_pb2.GetRequest(namespace=namespace, key=key), timeout)

    def multi_get(self, namespace: str, keys: Sequence[str], *,
                  timeout: float | None = _DEFAULT) -> list[kv_pb2.KVItem]:
        """The keys that exist (missing and expired ones are left out)."""
        resp = self._c.unary("KV.MultiGet", kv_pb2.MultiGetRequest(namespace=namespace, keys=list(keys)), timeout)
        return list(resp.items)

    def delete(self, namespace: str, key: str, *, if_version: int | None = None,
               timeout: float | None = _DEFAULT) -> bool:
        """True if the key existed."""
        return self._c.unary("KV.Delete", rq.kv_delete(namespace, key, if_version), timeout).existed

    def scan(self, namespace: str, *, key_prefix: str = "", limit: int = 0, include_values: bool = False,
             start_after: str = "", timeout: float | None = None) -> Stream[kv_pb2.KVItem]:
        """Live keys in key order, streamed."""
        return self._c.stream("KV.Scan", rq.kv_scan(namespace, key_prefix, limit, include_values, start_after),
                              timeout)

    def txn(self, namespace: str, *, compare: Iterable[kv_pb2.TxnCompare | Mapping[str, Any]] = (),
            success: Iterable[kv_pb2.TxnOp | Mapping[str, Any]] = (),
            failure: Iterable[kv_pb2.TxnOp | Mapping[str, Any]] = (),
            timeout: float | None = _DEFAULT) -> kv_pb2.TxnResponse:
        """Compare-and-swap across keys, atomically (etcd's Txn): every compare is evaluated, then the
        ``success`` ops run when all hold, else the ``failure`` ops. Compares and ops are messages or
        dicts: ``{"key": "a", "version": 3}``, ``{"key": "b", "absent": True}``, ``{"put": {"key": "a",
        "value": b"90"}}``, ``{"delete": {"key": "c"}}``, ``{"get": {"key": "d"}}``. The response says
        which branch ran (``succeeded``), each op's result and the ``failed_compares``."""
        return self._c.unary("KV.Txn", rq.kv_txn(namespace, compare, success, failure), timeout)

    def get_access(self, namespace: str, key: str, *,
                   timeout: float | None = _DEFAULT) -> kv_pb2.GetAccessResponse:
        """What a tracking access tier recorded for the key (reading it is not an access)."""
        return self._c.unary("KV.GetAccess", kv_pb2.GetAccessRequest(namespace=namespace, key=key), timeout)


class Episodic:
    """An append-only event log with cursors, dedup keys and a live tail."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def append(self, namespace: str, type: str, payload: bytes | str = b"", *, metadata: Metadata | None = None,
               role: str = "", session_id: str = "", dedup_key: str = "", supersedes: Sequence[str] | None = None,
               source: str = "", timeout: float | None = _DEFAULT) -> episodic_pb2.Event:
        """Appends an event. With a ``dedup_key`` a retry returns the first event, so the client
        retries it on UNAVAILABLE; without one it is never retried."""
        request = rq.ep_append(namespace, type, payload, metadata, role, session_id, dedup_key, supersedes, source)
        attempts = _core.RETRY_ATTEMPTS if dedup_key else 1
        for attempt in range(1, attempts + 1):
            try:
                return self._c.unary("Episodic.Append", request, timeout).event
            except Unavailable:
                if attempt == attempts:
                    raise
                time.sleep(random.uniform(0, 0.1 * 2 ** attempt))
        raise AssertionError("unreachable")

    def range(self, namespace: str, *, after_cursor: int = 0, before_cursor: int = 0, limit: int = 0,
              reverse: bool = False, after_time: TimeLike | None = None, before_time: TimeLike | None = None,
              include_deleted: bool = False, session_id: str = "", role: str = "", type: str = "",
              timeout: float | None = None) -> Stream[episodic_pb2.Event]:
        """Stored events in cursor order (``reverse`` for newest first), streamed."""
        return self._c.stream("Episodic.Range", rq.ep_range(namespace, after_cursor, before_cursor, limit, reverse,
                                                             after_time, before_time, include_deleted, session_id,
                                                             role, type), timeout)

    def tail(self, namespace: str, *, after_cursor: int = 0, include_historical: bool = False,
             timeout: float | None = None) -> Stream[episodic_pb2.Event]:
        """New events as they are appended (after ``after_cursor``; with ``include_historical`` the
        stored ones first). Runs until closed: use it in a ``with`` block or call ``close()``."""
        return self._c.stream("Episodic.Tail", episodic_pb2.TailRequest(
            namespace=namespace, after_cursor=after_cursor, include_historical=include_historical), timeout)

    def expire(self, namespace: str, *, action: int | str | None = None, max_rows: int = 1000, before_cursor: int = 0,
               before_time: TimeLike | None = None, timeout: float | None = _DEFAULT) -> int:
        """Soft- or hard-deletes events before a cursor or time; the number affected."""
        return self._c.unary("Episodic.Expire", rq.ep_expire(namespace, action, max_rows, before_cursor,
                                                              before_time), timeout).affected


class Semantic:
    """Vector and hybrid search over records with metadata and validity windows."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def upsert(self, namespace: str, records: Iterable[semantic_pb2.Record | Mapping[str, Any]], *,
               timeout: float | None = _DEFAULT) -> semantic_pb2.UpsertResponse:
        """Creates or replaces records (``Record`` messages or dicts of their fields); the server embeds
        ``content`` when the namespace has an embedder and no vector is given."""
        return self._c.unary("Semantic.Upsert", rq.sem_upsert(namespace, records), timeout)

    def search(self, namespace: str, *, query_text: str = "", query_vector: Sequence[float] | None = None,
               top_k: int = 10, filter: Metadata | None = None, predicates: Sequence[Any] | None = None,
               created_after: TimeLike | None = None, created_before: TimeLike | None = None,
               mode: int | str | None = None, rerank_candidate_k: int = 0, include_payload: bool = False,
               include_vector: bool = False, as_of: TimeLike | None = None, include_invalidated: bool = False,
               ids_only: bool = False, timeout: float | None = _DEFAULT) -> list[semantic_pb2.Hit]:
        """Hits, best first. ``mode``: ``"dense"``, ``"sparse"`` or ``"hybrid"`` (or the enum)."""
        request = rq.sem_search(namespace, query_text, query_vector, top_k, filter, predicates, created_after,
                                created_before, mode, rerank_candidate_k, include_payload, include_vector, as_of,
                                include_invalidated, ids_only)
        return list(self._c.unary("Semantic.Search", request, timeout).hits)

    def get(self, namespace: str, id: str, *, include_payload: bool = True, include_vector: bool = False,
            include_invalidated: bool = False, as_of: TimeLike | None = None,
            timeout: float | None = _DEFAULT) -> semantic_pb2.Record | None:
        """One record by id, or None."""
        resp = self._c.unary("Semantic.Get", rq.sem_get(namespace, id, include_payload, include_vector,
                                                         include_invalidated, as_of), timeout)
        return resp.record if resp.found else None

    def delete(self, namespace: str, id: str, *, hard: bool = False, timeout: float | None = _DEFAULT) -> bool:
        """Soft-deletes (or with ``hard`` removes) a record; True if it existed."""
        return self._c.unary("Semantic.Delete", semantic_pb2.DeleteRequest(namespace=namespace, id=id, hard=hard),
                             timeout).existed

    def expire(self, namespace: str, *, action: int | str | None = None, max_rows: int = 1000,
               filter: Metadata | None = None, timeout: float | None = _DEFAULT) -> int:
        """Invalidates, soft- or hard-deletes the records matching ``filter``; the number affected."""
        return self._c.unary("Semantic.Expire", rq.sem_expire(namespace, action, max_rows, filter),
                             timeout).affected


class ArtifactReader(io.RawIOBase):
    """An artifact's body as a binary file, streamed from the server. ``meta`` is its header. Reading a
    whole body to its end checks its SHA-256 (:class:`~memsidecar.errors.IntegrityError` otherwise)."""

    def __init__(self, stream: Stream[artifact_pb2.GetResponse], whole: bool, where: str) -> None:
        super().__init__()
        self._stream = stream
        first = next(stream, None)
        if first is None or not first.HasField("header"):
            stream.close()
            raise MemSidecarError(f"{where}: the stream did not start with a header")
        self.meta: artifact_pb2.ArtifactMeta = first.header.meta
        self._digest = _artifacts.Digest(self.meta, whole, where)
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def chunks(self) -> Iterator[bytes]:
        """The rest of the body, chunk by chunk as the server sends them."""
        if self._buffer:
            rest, self._buffer = bytes(self._buffer), memoryview(b"")
            yield rest
        for msg in self._stream:
            data = msg.chunk.data
            self._digest.update(data)
            yield data
        self._digest.verify()

    def readinto(self, b: Any) -> int:
        """Fills ``b`` as far as the body goes (so ``read(n)`` returns n bytes before the end)."""
        out = memoryview(b).cast("B")
        filled = 0
        while filled < len(out):
            if not self._buffer:
                msg = next(self._stream, None)
                if msg is None:
                    self._digest.verify()
                    break
                self._digest.update(msg.chunk.data)
                self._buffer = memoryview(msg.chunk.data)
            n = min(len(out) - filled, len(self._buffer))
            out[filled:filled + n] = self._buffer[:n]
            self._buffer = self._buffer[n:]
            filled += n
        return filled

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._digest.close()
        super().close()


class Artifact:
    """Blobs streamed in and out, with size and SHA-256."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def put(self, namespace: str, data: _artifacts.Source, *, id: str = "", content_type: str = "",
            metadata: Metadata | None = None, expected_size: int | None = None, expected_sha256: str = "",
            chunk_size: int = _artifacts.CHUNK, timeout: float | None = None) -> artifact_pb2.ArtifactRef:
        """Uploads bytes, a path, a binary file or an iterable of byte chunks, streamed in messages of
        ``chunk_size`` under flow control (never read whole)."""
        init = rq.art_init(namespace, id, content_type, metadata, expected_size, expected_sha256)
        requests = _artifacts.requests(init, data, _artifacts.check_chunk_size(chunk_size))
        return self._c.unary("Artifact.Put", requests, timeout).ref  # a request stream: same call shape

    def open(self, namespace: str, id: str, *, offset: int = 0, length: int = 0, verify: bool = True,
             timeout: float | None = None) -> ArtifactReader:
        """The body as a readable binary file (use it in a ``with`` block). A whole body read to its end
        is checked against its SHA-256 unless ``verify=False``."""
        stream = self._c.stream("Artifact.Get", artifact_pb2.GetRequest(namespace=namespace, id=id, offset=offset,
                                                                        length=length), timeout)
        return ArtifactReader(stream, verify and offset == 0 and length == 0, f"artifact {namespace}/{id}")

    def get(self, namespace: str, id: str, *, offset: int = 0, length: int = 0, verify: bool = True,
            timeout: float | None = None) -> bytes:
        """The body (or a range of it) as bytes — held whole; prefer ``open`` or ``get_to`` for big ones."""
        with self.open(namespace, id, offset=offset, length=length, verify=verify, timeout=timeout) as reader:
            return b"".join(reader.chunks())

    def get_to(self, namespace: str, id: str, destination: str | os.PathLike[str] | IO[bytes], *,
               offset: int = 0, length: int = 0, verify: bool = True,
               timeout: float | None = None) -> artifact_pb2.ArtifactMeta:
        """Streams the body into a path (written beside it, renamed into place once its SHA-256 checked)
        or a binary file; returns its header."""
        with self.open(namespace, id, offset=offset, length=length, verify=verify, timeout=timeout) as reader:
            if hasattr(destination, "write"):
                for data in reader.chunks():
                    destination.write(data)  # type: ignore[union-attr]
                return reader.meta
            part = _artifacts.part_path(destination)  # type: ignore[arg-type]
            try:
                with open(part, "wb") as f:
                    for data in reader.chunks():
                        f.write(data)
                os.replace(part, destination)  # type: ignore[arg-type]
            except BaseException:
                if os.path.exists(part):
                    os.remove(part)
                raise
            return reader.meta

    def stat(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> artifact_pb2.ArtifactMeta | None:
        """The artifact's size, type, checksum and metadata, or None."""
        resp = self._c.unary("Artifact.Stat", artifact_pb2.StatRequest(namespace=namespace, id=id), timeout)
        return resp.meta if resp.found else None

    def delete(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> bool:
        return self._c.unary("Artifact.Delete", artifact_pb2.DeleteRequest(namespace=namespace, id=id),
                             timeout).existed

    def list(self, namespace: str, *, filter: Metadata | None = None, start_after: str = "", limit: int = 0,
             timeout: float | None = None) -> Stream[artifact_pb2.ArtifactMeta]:
        """Artifacts in id order, streamed."""
        return self._c.stream("Artifact.List", rq.art_list(namespace, filter, start_after, limit), timeout)


class Lease:
    """Distributed locks with fencing tokens."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def acquire(self, namespace: str, key: str, *, ttl: DurationLike, wait_for: DurationLike | None = None,
                metadata: Metadata | None = None, timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle:
        """Takes the lease, waiting up to ``wait_for`` for its release; FAILED_PRECONDITION if held."""
        if timeout is _DEFAULT and wait_for is not None and self._c.timeout is not None:
            timeout = self._c.timeout + _core.seconds(wait_for)
        return self._c.unary("Lease.Acquire", rq.lease_acquire(namespace, key, ttl, wait_for, metadata),
                             timeout).handle

    def renew(self, holder_id: str, namespace: str, key: str, *, ttl: DurationLike | None = None,
              timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle:
        return self._c.unary("Lease.Renew", rq.lease_renew(holder_id, namespace, key, ttl), timeout).handle

    def release(self, holder_id: str, namespace: str, key: str, *, timeout: float | None = _DEFAULT) -> bool:
        """True if this holder held it."""
        return self._c.unary("Lease.Release", lease_pb2.ReleaseRequest(holder_id=holder_id, namespace=namespace,
                                                                       key=key), timeout).existed

    def inspect(self, namespace: str, key: str, *,
                timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle | None:
        """The current holder, or None."""
        resp = self._c.unary("Lease.Inspect", lease_pb2.InspectRequest(namespace=namespace, key=key), timeout)
        return resp.handle if resp.held else None

    def list(self, namespace: str, *, timeout: float | None = _DEFAULT) -> list[lease_pb2.LeaseHandle]:
        return list(self._c.unary("Lease.List", lease_pb2.ListRequest(namespace=namespace), timeout).leases)


class Graph:
    """Nodes and typed edges with validity windows."""

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def upsert_nodes(self, namespace: str, nodes: Iterable[graph_pb2.Node | Mapping[str, Any]], *,
                     timeout: float | None = _DEFAULT) -> list[str]:
        return list(self._c.unary("Graph.UpsertNodes", rq.graph_nodes(namespace, nodes), timeout).ids)

    def upsert_edges(self, namespace: str, edges: Iterable[graph_pb2.Edge | Mapping[str, Any]], *,
                     timeout: float | None = _DEFAULT) -> list[str]:
        """Edges as messages or dicts (``{"type": …, "from": …, "to": …}``; ``from_`` works too)."""
        return list(self._c.unary("Graph.UpsertEdges", rq.graph_edges(namespace, edges), timeout).ids)

    def get_node(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> graph_pb2.Node:
        """The node (:class:`~memsidecar.errors.NotFound` if absent)."""
        return self._c.unary("Graph.GetNode", graph_pb2.GetNodeRequest(namespace=namespace, id=id), timeout)

    def neighbors(self, namespace: str, node_id: str, *, edge_types: Sequence[str] | None = None,
                  direction: int | str | None = None, node_labels: Sequence[str] | None = None, limit: int = 0,
                  as_of: TimeLike | None = None, timeout: float | None = _DEFAULT) -> graph_pb2.NeighborsResponse:
        """One hop: the neighbouring nodes and the edges to them. ``direction``: out, in, both."""
        return self._c.unary("Graph.Neighbors", rq.graph_neighbors(namespace, node_id, edge_types, direction,
                                                                    node_labels, limit, as_of), timeout)

    def traverse(self, namespace: str, start_id: str, *, edge_types: Sequence[str] | None = None,
                 direction: int | str | None = None, depth: int = 0, max_nodes: int = 0,
                 as_of: TimeLike | None = None, timeout: float | None = _DEFAULT) -> graph_pb2.Subgraph:
        """The subgraph reached breadth-first from a node, bounded by depth and node count."""
        return self._c.unary("Graph.Traverse", rq.graph_traverse(namespace, start_id, edge_types, direction, depth,
                                                                  max_nodes, as_of), timeout)

    def delete_node(self, namespace: str, id: str, *, cascade: bool = False,
                    timeout: float | None = _DEFAULT) -> bool:
        return self._c.unary("Graph.DeleteNode", graph_pb2.DeleteNodeRequest(namespace=namespace, id=id,
                                                                             cascade=cascade), timeout).existed

    def delete_edge(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> bool:
        return self._c.unary("Graph.DeleteEdge", graph_pb2.DeleteEdgeRequest(namespace=namespace, id=id),
                             timeout).existed


class Recall:
    """Recall (not in the original): the dense, lexical, graph-proximity and recency lanes of a semantic namespace
    (and a graph namespace whose node ids name records) fused by weighted reciprocal rank fusion, in one call.
    ``weights`` maps lanes (``dense``, ``lexical``, ``graph``, ``recency``) to weights (defaults 1, 1, 2, 0);
    ``explain`` adds each hit's lane ranks and graph path; ``include_subgraph`` the nodes and edges joining them.

    >>> r = m.recall("notes", query_text="where does alice work", graph_namespace="people",
    ...              focal_node_ids=["alice"], expand_depth=2, explain=True)
    >>> [(h.record.id, list(h.evidence.path_node_ids)) for h in r.hits]
    """

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def __call__(self, semantic_namespace: str, *, query_text: str = "",
                 query_vector: Sequence[float] | None = None, graph_namespace: str = "",
                 focal_node_ids: Sequence[str] | None = None, expand_depth: int | None = None,
                 edge_types: Sequence[str] | None = None, direction: int | str | None = None, top_k: int = 10,
                 filter: Mapping[str, str] | None = None, predicates: Sequence[Any] | None = None,
                 as_of: TimeLike | None = None, weights: Mapping[str, float] | None = None,
                 mmr_lambda: float | None = None, explain: bool = False, include_subgraph: bool = False,
                 include_payload: bool = False, candidate_k: int = 0, seed_k: int = 0, max_nodes: int = 0,
                 rrf_k: int | None = None, timeout: float | None = _DEFAULT) -> recall_pb2.RecallResponse:
        request = rq.recall(semantic_namespace, query_text, query_vector, graph_namespace, focal_node_ids,
                            expand_depth, edge_types, direction, top_k, filter, predicates, as_of, weights,
                            mmr_lambda, explain, include_subgraph, include_payload, candidate_k, seed_k, max_nodes,
                            rrf_k)
        return self._c.unary("Recall.Recall", request, timeout)


class Admin:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    def list_namespaces(self, *, timeout: float | None = _DEFAULT) -> admin_pb2.ListNamespacesResponse:
        """The configured namespaces and the server's version (needs op admin.inspect)."""
        return self._c.unary("Admin.ListNamespaces", admin_pb2.ListNamespacesRequest(), timeout)


__all__ = ["MemSidecar", "Stream", "ArtifactReader"]
