"""LangGraph on memsidecar: a checkpointer (:class:`MemSidecarSaver`) and a long-term memory store
(:class:`MemSidecarStore`), both on a sync :class:`~memsidecar.MemSidecar` or an asyncio
:class:`~memsidecar.AsyncMemSidecar` (native async, no threads).

Checkpointer key layout in one kv namespace (each part percent-encoded, as the original's):

- ``cp/<thread>/<ns>/<checkpoint_id>`` — the checkpoint without its channel values, its metadata and
  its parent's id (JSON: ``{"v": 1, "type", "checkpoint", "metadata_type", "metadata", "parent"}``,
  serialized parts base64);
- ``bl/<thread>/<ns>/<channel>/<version>`` — one channel value (the serializer's type as content type);
- ``wr/<thread>/<ns>/<checkpoint_id>/<task>/<idx>`` — a pending write (channel and task path in the
  item's metadata), stored first-wins with ``if_version=0`` (errors, interrupts and other special
  writes replace).

The latest checkpoint of a thread is the lexical maximum of a prefix scan (checkpoint ids sort by time).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
from datetime import datetime, timezone
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import quote, unquote

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (WRITES_IDX_MAP, BaseCheckpointSaver, ChannelVersions, Checkpoint,
                                       CheckpointMetadata, CheckpointTuple, get_checkpoint_id,
                                       get_checkpoint_metadata)
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.store.base import (BaseStore, GetOp, Item, ListNamespacesOp, NotProvided, PutOp, SearchItem,
                                  SearchOp)
from langgraph.store.base.embed import get_text_at_path

from memsidecar.aio import AsyncMemSidecar
from memsidecar.client import MemSidecar
from memsidecar.errors import VersionMismatch
from memsidecar.ext._io import Call, Emit, Steps, aiterate, arun, iterate, run

__all__ = ["MemSidecarSaver", "MemSidecarStore", "JsonSerializer"]


class JsonSerializer(JsonPlusSerializer):
    """Writes JSON (type ``"json"``; LangChain objects in their ``lc`` form), which LangGraph.js reads
    too, so one thread can be checkpointed from Python and from TypeScript in turn; reads all that
    LangGraph's own serializer reads. Pass it as ``MemSidecarSaver(m, serde=JsonSerializer())``."""

    def dumps_typed(self, obj: Any) -> tuple[str, bytes]:
        if isinstance(obj, (bytes, bytearray)):
            return super().dumps_typed(obj)
        return "json", json.dumps(obj, default=_lc_json, separators=(",", ":")).encode()


def _lc_json(obj: Any) -> Any:
    from langchain_core.load import dumpd
    from langchain_core.load.serializable import Serializable
    if isinstance(obj, Serializable):
        return dumpd(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, datetime):
        return obj.isoformat()
    raise TypeError(f"{type(obj).__name__} cannot be written as JSON")


def _enc(part: Any) -> str:
    return quote(str(part), safe="")


def _key(*parts: Any) -> str:
    return "/".join([parts[0], *(_enc(p) for p in parts[1:])])


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _config(thread: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}


def _sort_key(write: tuple[str, str, Any, str, int]) -> tuple[Any, ...]:
    task_id, _, _, task_path, idx = write
    return (task_path, task_id, idx)


class _Clients:
    """The client the adapter was given, and which kind it is."""

    def __init__(self, client: MemSidecar | AsyncMemSidecar) -> None:
        if not isinstance(client, (MemSidecar, AsyncMemSidecar)):
            raise TypeError(f"expected a MemSidecar or an AsyncMemSidecar, not {type(client).__name__}")
        self.client = client
        self.is_async = isinstance(client, AsyncMemSidecar)

    def sync(self) -> MemSidecar:
        if self.is_async:
            raise TypeError("this adapter was given an AsyncMemSidecar: use the async methods "
                            "(graph.ainvoke, astream, …) or give it a MemSidecar")
        return self.client  # type: ignore[return-value]

    async def run(self, steps: Steps[Any]) -> Any:
        if self.is_async:
            return await arun(steps, self.client)
        return await asyncio.to_thread(run, steps, self.client)


class MemSidecarSaver(BaseCheckpointSaver[int]):
    """A LangGraph checkpointer on a memsidecar kv namespace (see the module for the key layout)::

        with MemSidecar("127.0.0.1:7777") as m:
            graph = builder.compile(checkpointer=MemSidecarSaver(m, namespace="default"))
    """

    def __init__(self, client: MemSidecar | AsyncMemSidecar, namespace: str = "default", *,
                 serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self._clients = _Clients(client)
        self.namespace = namespace

    # --- the operations, once, as steps ---------------------------------------------------------

    def _scan(self, prefix: str, values: bool = False) -> Call:
        return Call("kv", "scan", (self.namespace,), {"key_prefix": prefix, "include_values": values}, stream=True)

    def _load(self, thread: str, ns: str, checkpoint_id: str, record: dict[str, Any]) -> Steps[CheckpointTuple]:
        checkpoint: Checkpoint = self.serde.loads_typed((record["type"], base64.b64decode(record["checkpoint"])))
        versions = checkpoint.get("channel_versions", {})
        values: dict[str, Any] = {}
        if versions:
            blobs = yield Call("kv", "multi_get", (self.namespace, [_key("bl", thread, ns, ch, v)
                                                                   for ch, v in versions.items()]))
            for item in blobs:
                if item.content_type != "empty":
                    values[unquote(item.key.split("/")[3])] = self.serde.loads_typed((item.content_type, item.value))
        stored = yield self._scan(_key("wr", thread, ns, checkpoint_id) + "/", values=True)
        writes = sorted(((unquote(i.key.split("/")[4]), i.metadata["channel"], i, i.metadata.get("task_path", ""),
                          int(unquote(i.key.split("/")[5]))) for i in stored), key=_sort_key)
        parent = record.get("parent")
        return CheckpointTuple(
            config=_config(thread, ns, checkpoint_id),
            checkpoint={**checkpoint, "channel_values": values},
            metadata=self.serde.loads_typed((record["metadata_type"], base64.b64decode(record["metadata"]))),
            parent_config=_config(thread, ns, parent) if parent else None,
            pending_writes=[(task, channel, self.serde.loads_typed((i.content_type, i.value)))
                            for task, channel, i, _, _ in writes])

    def _get_tuple(self, config: RunnableConfig) -> Steps[CheckpointTuple | None]:
        thread = str(config["configurable"]["thread_id"])
        ns = config["configurable"].get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        if not checkpoint_id:
            keys = yield self._scan(_key("cp", thread, ns) + "/")
            if not keys:
                return None
            checkpoint_id = unquote(max(k.key for k in keys).split("/")[3])
        got = yield Call("kv", "get", (self.namespace, _key("cp", thread, ns, checkpoint_id)))
        if not got.found:
            return None
        return (yield from self._load(thread, ns, checkpoint_id, json.loads(got.value)))

    def _list(self, config: RunnableConfig | None, filter: dict[str, Any] | None, before: RunnableConfig | None,
              limit: int | None) -> Steps[None]:
        if config is None:
            prefix, wanted_ns, wanted_id = "cp/", None, None
        else:
            c = config["configurable"]
            wanted_ns = c.get("checkpoint_ns")
            wanted_id = get_checkpoint_id(config)
            prefix = _key("cp", c["thread_id"]) + "/" + (_enc(wanted_ns) + "/" if wanted_ns is not None else "")
        before_id = get_checkpoint_id(before) if before else None
        found = []
        for item in (yield self._scan(prefix)):
            _, thread, ns, checkpoint_id = (unquote(p) for p in item.key.split("/"))
            if (wanted_ns is None or ns == wanted_ns) and (not wanted_id or checkpoint_id == wanted_id) \
                    and (not before_id or checkpoint_id < before_id):
                found.append((checkpoint_id, thread, ns, item.key))
        found.sort(reverse=True)
        left = limit
        for checkpoint_id, thread, ns, key in found:
            if left is not None and left <= 0:
                return
            got = yield Call("kv", "get", (self.namespace, key))
            if not got.found:
                continue  # deleted since the scan
            record = json.loads(got.value)
            if filter:
                metadata = self.serde.loads_typed((record["metadata_type"], base64.b64decode(record["metadata"])))
                if not all(metadata.get(k) == v for k, v in filter.items()):
                    continue
            if left is not None:
                left -= 1
            yield Emit((yield from self._load(thread, ns, checkpoint_id, record)))

    def _put(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
             new_versions: ChannelVersions) -> Steps[RunnableConfig]:
        thread = str(config["configurable"]["thread_id"])
        ns = config["configurable"].get("checkpoint_ns", "")
        values = checkpoint.get("channel_values", {})
        for channel, version in new_versions.items():
            kind, data = self.serde.dumps_typed(values[channel]) if channel in values else ("empty", b"")
            yield Call("kv", "put", (self.namespace, _key("bl", thread, ns, channel, version), data),
                       {"content_type": kind})
        stripped = {k: v for k, v in checkpoint.items() if k != "channel_values"}
        kind, data = self.serde.dumps_typed(stripped)
        meta_kind, meta = self.serde.dumps_typed(get_checkpoint_metadata(config, metadata))
        record = {"v": 1, "type": kind, "checkpoint": _b64(data), "metadata_type": meta_kind,
                  "metadata": _b64(meta), "parent": config["configurable"].get("checkpoint_id")}
        yield Call("kv", "put", (self.namespace, _key("cp", thread, ns, checkpoint["id"]), json.dumps(record)),
                   {"content_type": "application/json"})
        return _config(thread, ns, checkpoint["id"])

    def _put_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str,
                    task_path: str) -> Steps[None]:
        thread = str(config["configurable"]["thread_id"])
        ns = config["configurable"].get("checkpoint_ns", "")
        checkpoint_id = config["configurable"]["checkpoint_id"]
        for idx, (channel, value) in enumerate(writes):
            idx = WRITES_IDX_MAP.get(channel, idx)
            kind, data = self.serde.dumps_typed(value)
            yield Call("kv", "put", (self.namespace, _key("wr", thread, ns, checkpoint_id, task_id, idx), data),
                       {"content_type": kind, "metadata": {"channel": channel, "task_path": task_path},
                        "if_version": 0 if idx >= 0 else None}, tolerate=(VersionMismatch,))

    def _delete_prefixes(self, prefixes: Iterable[str]) -> Steps[None]:
        for prefix in prefixes:
            for item in (yield self._scan(prefix)):
                yield Call("kv", "delete", (self.namespace, item.key))

    def _thread_prefixes(self, thread: str) -> list[str]:
        return [_key(kind, thread) + "/" for kind in ("cp", "bl", "wr")]

    def _delete_thread(self, thread_id: str) -> Steps[None]:
        yield from self._delete_prefixes(self._thread_prefixes(str(thread_id)))

    def _copy_thread(self, source: str, target: str) -> Steps[None]:
        for prefix in self._thread_prefixes(str(source)):
            for item in (yield self._scan(prefix, values=True)):
                parts = item.key.split("/")
                parts[1] = _enc(target)
                yield Call("kv", "put", (self.namespace, "/".join(parts), item.value),
                           {"content_type": item.content_type, "metadata": dict(item.metadata)})

    def _delete_checkpoints(self, thread: str, ns: str, checkpoint_ids: Iterable[str]) -> Steps[None]:
        for checkpoint_id in checkpoint_ids:
            yield Call("kv", "delete", (self.namespace, _key("cp", thread, ns, checkpoint_id)))
            yield from self._delete_prefixes([_key("wr", thread, ns, checkpoint_id) + "/"])

    def _prune(self, thread_ids: Sequence[str], strategy: str) -> Steps[None]:
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r} (keep_latest or delete)")
        for thread in map(str, thread_ids):
            if strategy == "delete":
                yield from self._delete_thread(thread)
                continue
            by_ns: dict[str, list[str]] = {}
            for item in (yield self._scan(_key("cp", thread) + "/")):
                _, _, ns, checkpoint_id = (unquote(p) for p in item.key.split("/"))
                by_ns.setdefault(ns, []).append(checkpoint_id)
            for ns, ids in by_ns.items():
                latest = max(ids)
                yield from self._delete_checkpoints(thread, ns, [i for i in ids if i != latest])
                kept = yield Call("kv", "get", (self.namespace, _key("cp", thread, ns, latest)))
                record = json.loads(kept.value)
                versions = self.serde.loads_typed((record["type"], base64.b64decode(record["checkpoint"])))
                live = {_key("bl", thread, ns, ch, v) for ch, v in versions.get("channel_versions", {}).items()}
                for blob in (yield self._scan(_key("bl", thread, ns) + "/")):
                    if blob.key not in live:
                        yield Call("kv", "delete", (self.namespace, blob.key))

    def _delete_for_runs(self, run_ids: Sequence[str]) -> Steps[None]:
        runs = set(map(str, run_ids))
        if not runs:
            return
        for item in (yield self._scan("cp/", values=True)):
            record = json.loads(item.value)
            metadata = self.serde.loads_typed((record["metadata_type"], base64.b64decode(record["metadata"])))
            if str(metadata.get("run_id")) in runs:
                _, thread, ns, checkpoint_id = (unquote(p) for p in item.key.split("/"))
                yield from self._delete_checkpoints(thread, ns, [checkpoint_id])

    # --- the saver's interface ------------------------------------------------------------------

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return run(self._get_tuple(config), self._clients.sync())

    def list(self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
             before: RunnableConfig | None = None, limit: int | None = None) -> Iterator[CheckpointTuple]:
        return iterate(self._list(config, filter, before, limit), self._clients.sync())

    def put(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
            new_versions: ChannelVersions) -> RunnableConfig:
        return run(self._put(config, checkpoint, metadata, new_versions), self._clients.sync())

    def put_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str,
                   task_path: str = "") -> None:
        run(self._put_writes(config, writes, task_id, task_path), self._clients.sync())

    def delete_thread(self, thread_id: str) -> None:
        run(self._delete_thread(thread_id), self._clients.sync())

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        run(self._copy_thread(source_thread_id, target_thread_id), self._clients.sync())

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        run(self._prune(thread_ids, strategy), self._clients.sync())

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        run(self._delete_for_runs(run_ids), self._clients.sync())

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await self._clients.run(self._get_tuple(config))

    async def alist(self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
                    before: RunnableConfig | None = None, limit: int | None = None) -> AsyncIterator[CheckpointTuple]:
        steps = self._list(config, filter, before, limit)
        if self._clients.is_async:
            async for tup in aiterate(steps, self._clients.client):
                yield tup
        else:
            for tup in await asyncio.to_thread(lambda: list(iterate(steps, self._clients.client))):
                yield tup

    async def aput(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
                   new_versions: ChannelVersions) -> RunnableConfig:
        return await self._clients.run(self._put(config, checkpoint, metadata, new_versions))

    async def aput_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str,
                          task_path: str = "") -> None:
        await self._clients.run(self._put_writes(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await self._clients.run(self._delete_thread(thread_id))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await self._clients.run(self._copy_thread(source_thread_id, target_thread_id))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._clients.run(self._prune(thread_ids, strategy))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await self._clients.run(self._delete_for_runs(run_ids))

    def get_next_version(self, current: str | int | None, channel: None = None) -> int:  # type: ignore[override]
        """Integer versions, as LangGraph's base class and LangGraph.js use, so one thread can be written
        from Python and TypeScript in turn; a string version ("N.random", other savers' format)
        continues from its counter."""
        return (0 if current is None else current if isinstance(current, int) else int(str(current).split(".")[0])) + 1


# --- long-term memory store ---------------------------------------------------------------------

def _item_key(namespace: tuple[str, ...], key: str) -> str:
    # "//" closes the namespace: labels are non-empty and percent-encoded, so it appears nowhere else
    return "it/" + "/".join(_enc(p) for p in namespace) + "//" + _enc(key)


def _namespace_prefix(prefix: tuple[str, ...]) -> str:
    return "it/" + "".join(_enc(p) + "/" for p in prefix)


def _parse_item_key(kv_key: str) -> tuple[tuple[str, ...], str]:
    ns, key = kv_key[3:].split("//", 1)
    return tuple(unquote(p) for p in ns.split("/")), unquote(key)


def _matches(value: Any, wanted: Any) -> bool:
    """The store filter's comparison: equality, nested dicts, and $eq $ne $gt $gte $lt $lte."""
    if isinstance(wanted, dict):
        if any(k.startswith("$") for k in wanted):
            return all(_operator(value, op, operand) for op, operand in wanted.items())
        return isinstance(value, dict) and all(_matches(value.get(k), v) for k, v in wanted.items())
    return value == wanted


def _operator(value: Any, op: str, operand: Any) -> bool:
    if op == "$eq":
        return value == operand
    if op == "$ne":
        return value != operand
    if value is None:
        return False
    compare = {"$gt": float.__gt__, "$gte": float.__ge__, "$lt": float.__lt__, "$lte": float.__le__}.get(op)
    if compare is None:
        raise ValueError(f"unsupported filter operator {op!r}")
    return compare(float(value), float(operand))


def _condition_holds(condition: Any, namespace: tuple[str, ...]) -> bool:
    path = tuple(condition.path)
    if len(path) > len(namespace):
        return False
    part = namespace[:len(path)] if condition.match_type == "prefix" else namespace[len(namespace) - len(path):]
    return all(p == "*" or p == n for p, n in zip(path, part))


class MemSidecarStore(BaseStore):
    """LangGraph's long-term memory (``BaseStore``) on memsidecar: items as JSON in a kv namespace
    (``it/<namespace…>//<key>``, parts percent-encoded), TTL in minutes as the kv item's TTL, and
    natural-language ``search`` through a semantic namespace whose embedder runs in the sidecar::

        store = MemSidecarStore(m, namespace="default", index={"namespace": "notes", "fields": ["text"]})

    ``index``: ``namespace`` (the semantic namespace; required to search by query) and ``fields``
    (paths in the value whose text is embedded; default the whole value). The embedding model is the
    semantic namespace's; ``embed`` and ``dims`` of LangGraph's IndexConfig are not used.
    ``ttl``: LangGraph's TTLConfig (``default_ttl`` minutes, ``refresh_on_read``).
    """

    supports_ttl = True

    def __init__(self, client: MemSidecar | AsyncMemSidecar, namespace: str = "default", *,
                 index: dict[str, Any] | None = None, ttl: dict[str, Any] | None = None) -> None:
        self._clients = _Clients(client)
        self.namespace = namespace
        self.index = dict(index) if index else None
        if self.index is not None and not self.index.get("namespace"):
            raise ValueError("index needs the semantic namespace to search in: index={'namespace': …}")
        self.ttl_config = ttl  # type: ignore[assignment]

    # --- steps ---

    def _batch(self, ops: Iterable[Any]) -> Steps[list[Any]]:
        results: list[Any] = []
        for op in ops:
            if isinstance(op, GetOp):
                results.append((yield from self._get(op)))
            elif isinstance(op, PutOp):
                yield from self._put(op)
                results.append(None)
            elif isinstance(op, SearchOp):
                results.append((yield from self._search(op)))
            elif isinstance(op, ListNamespacesOp):
                results.append((yield from self._list_namespaces(op)))
            else:
                raise ValueError(f"unknown store operation {type(op).__name__}")
        return results

    @staticmethod
    def _fields(kv: Any) -> dict[str, Any]:
        namespace, key = _parse_item_key(kv.key)
        return {"namespace": namespace, "key": key, "value": json.loads(kv.value),
                "created_at": datetime.fromisoformat(kv.metadata["created_at"]),
                "updated_at": datetime.fromisoformat(kv.metadata["updated_at"])}

    def _item(self, kv: Any) -> Item:
        return Item(**self._fields(kv))

    def _search_item(self, kv: Any, score: float | None) -> SearchItem:
        return SearchItem(**self._fields(kv), score=score)

    def _refresh(self, kv: Any, refresh: bool | None) -> Steps[None]:
        if "ttl_minutes" not in kv.metadata:
            return
        default = (self.ttl_config or {}).get("refresh_on_read", True)
        if refresh if refresh is not None else default:
            yield Call("kv", "put", (self.namespace, kv.key, kv.value),
                       {"ttl": float(kv.metadata["ttl_minutes"]) * 60, "content_type": kv.content_type,
                        "metadata": dict(kv.metadata), "if_version": kv.version}, tolerate=(VersionMismatch,))

    def _get(self, op: GetOp) -> Steps[Item | None]:
        found = yield Call("kv", "multi_get", (self.namespace, [_item_key(op.namespace, op.key)]))
        if not found:
            return None
        yield from self._refresh(found[0], op.refresh_ttl)
        return self._item(found[0])

    def _put(self, op: PutOp) -> Steps[None]:
        key = _item_key(op.namespace, op.key)
        if op.value is None:
            yield Call("kv", "delete", (self.namespace, key))
            if self.index:
                yield Call("semantic", "delete", (self.index["namespace"], _record_id(key)), {"hard": True})
            return
        previous = yield Call("kv", "get", (self.namespace, key))
        now = datetime.now(timezone.utc).isoformat()
        metadata = {"created_at": previous.metadata["created_at"] if previous.found else now, "updated_at": now}
        ttl = op.ttl if op.ttl is not None else (self.ttl_config or {}).get("default_ttl")
        seconds = None
        if ttl is not None and not isinstance(ttl, NotProvided):
            metadata["ttl_minutes"] = str(ttl)
            seconds = float(ttl) * 60
        yield Call("kv", "put", (self.namespace, key, json.dumps(op.value)),
                   {"content_type": "application/json", "metadata": metadata, "ttl": seconds})
        if self.index and op.index is not False:
            fields = op.index if isinstance(op.index, list) else self.index.get("fields") or ["$"]
            texts = [t for f in fields for t in get_text_at_path(op.value, f)]
            if texts:
                meta = {f"ns{i}": part for i, part in enumerate(op.namespace)}
                meta["key"] = key
                yield Call("semantic", "upsert", (self.index["namespace"],
                                                  [{"id": _record_id(key), "content": "\n".join(texts),
                                                    "metadata": meta}]))

    def _search(self, op: SearchOp) -> Steps[list[SearchItem]]:
        wanted = op.offset + op.limit
        matches: list[tuple[Any, float | None]] = []  # (kv item, score), best first
        if op.query and self.index:
            prefix = {f"ns{i}": part for i, part in enumerate(op.namespace_prefix)}
            hits = yield Call("semantic", "search", (self.index["namespace"],),
                              {"query_text": op.query, "top_k": wanted * (3 if op.filter else 1),
                               "filter": prefix})
            keys = [h.record.metadata["key"] for h in hits]
            found = {i.key: i for i in (yield Call("kv", "multi_get", (self.namespace, keys)))} if keys else {}
            # an item deleted or expired since it was embedded is left out
            matches = [(found[h.record.metadata["key"]], h.score) for h in hits if h.record.metadata["key"] in found]
        else:
            scanned = yield Call("kv", "scan", (self.namespace,),
                                 {"key_prefix": _namespace_prefix(op.namespace_prefix), "include_values": True},
                                 stream=True)
            scanned.sort(key=lambda kv: kv.metadata["updated_at"], reverse=True)
            matches = [(kv, None) for kv in scanned]
        page = [(kv, score) for kv, score in matches if _matches(json.loads(kv.value), op.filter or {})]
        page = page[op.offset:wanted]
        for kv, _ in page:
            yield from self._refresh(kv, op.refresh_ttl)
        return [self._search_item(kv, score) for kv, score in page]

    def _list_namespaces(self, op: ListNamespacesOp) -> Steps[list[tuple[str, ...]]]:
        seen: set[tuple[str, ...]] = set()
        for kv in (yield Call("kv", "scan", (self.namespace,), {"key_prefix": "it/"}, stream=True)):
            namespace, _ = _parse_item_key(kv.key)
            if all(_condition_holds(c, namespace) for c in op.match_conditions or ()):
                seen.add(namespace[:op.max_depth] if op.max_depth is not None else namespace)
        return sorted(seen)[op.offset:op.offset + op.limit]

    # --- BaseStore ---

    def batch(self, ops: Iterable[Any]) -> list[Any]:
        return run(self._batch(ops), self._clients.sync())

    async def abatch(self, ops: Iterable[Any]) -> list[Any]:
        return await self._clients.run(self._batch(list(ops)))


def _record_id(kv_key: str) -> str:
    return hashlib.sha256(kv_key.encode()).hexdigest()[:32]
