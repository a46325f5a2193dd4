"""The asyncio client on ``grpc.aio``: ``AsyncMemSidecar`` with the same blocks, methods and
arguments as :class:`memsidecar.MemSidecar`; calls are awaited and streams are async iterators.

Each method mirrors its twin in client.py line for line: the requests come from the same builders
(_requests), the method table and channel options from _core; only the signatures are repeated, so that
each client's return types are exact for type checkers."""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import IO, Any, AsyncIterator, Generic, Iterable, Mapping, Sequence, TypeVar

import grpc
import grpc.aio

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
_DEFAULT: Any = object()


class _Calls:
    def __init__(self, channel: grpc.aio.Channel, metadata: tuple[tuple[str, str], ...],
                 timeout: float | None) -> None:
        self.channel = channel
        self.metadata = metadata
        self.timeout = timeout
        self._fns = _core.callables(channel)

    async def unary(self, name: str, request: Any, timeout: Any = _DEFAULT) -> Any:
        seconds = self.timeout if timeout is _DEFAULT else timeout
        started = time.monotonic()
        try:
            return await self._fns[name](request, timeout=seconds, metadata=self.metadata)
        except grpc.RpcError as e:
            raise from_rpc_error(e, name, _core.deadline_passed(started, seconds)) from None

    def stream(self, name: str, request: Any, timeout: Any = None) -> "AsyncStream[Any]":
        call = self._fns[name](request, timeout=None if timeout is _DEFAULT else timeout,
                                    metadata=self.metadata)
        return AsyncStream(call, name)


class AsyncStream(AsyncIterator[T], Generic[T]):
    """A server stream: ``async for`` over it; ``aclose()`` / ``cancel()`` (or leaving ``async with``)
    cancels the call if it is still running."""

    def __init__(self, call: Any, name: str) -> None:
        self._call = call
        self._name = name
        self._done = False
        self._iter: Any = None

    def __aiter__(self) -> "AsyncStream[T]":
        return self

    async def __anext__(self) -> T:
        if self._done:
            raise StopAsyncIteration
        if self._iter is None:
            self._iter = self._call.__aiter__()
        try:
            return await self._iter.__anext__()
        except StopAsyncIteration:
            self._done = True
            raise
        except (grpc.RpcError, asyncio.CancelledError) as e:
            cancelled_by_us = self._done
            self._done = True
            if cancelled_by_us:
                raise StopAsyncIteration from None
            if isinstance(e, asyncio.CancelledError):
                raise
            raise from_rpc_error(e, self._name) from None

    def cancel(self) -> None:
        if not self._done:  # see Stream.close: no RST_STREAM after the server's end of stream
            self._done = True
            self._call.cancel()

    async def aclose(self) -> None:
        self.cancel()

    async def __aenter__(self) -> "AsyncStream[T]":
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cancel()


class AsyncMemSidecar:
    """The asyncio twin of :class:`memsidecar.MemSidecar` (same arguments)::

        async with AsyncMemSidecar("127.0.0.1:7777") as m:
            await m.kv.put("scratchpad", "hello", b"world")
            async for event in m.episodic.tail("events"):
                ...
    """

    def __init__(self, target: str, *, token: str | None = None, secure: bool = False,
                 channel_credentials: grpc.ChannelCredentials | None = None,
                 cert: str | os.PathLike[str] | None = None, key: str | os.PathLike[str] | None = None,
                 ca: str | os.PathLike[str] | None = None, timeout: float | None = 30.0,
                 max_attempts: int = _core.RETRY_ATTEMPTS, options: Sequence[tuple[str, Any]] = ()) -> None:
        metadata = _core.token_metadata(token)
        creds = _core.credentials(target, secure, channel_credentials, cert, key, ca)
        address = _core.normalize_target(target)
        opts = _core.channel_options(max_attempts) + list(options)
        channel = (grpc.aio.secure_channel(address, creds, options=opts) if creds is not None
                   else grpc.aio.insecure_channel(address, options=opts))
        self._channel = channel
        calls = _Calls(channel, metadata, timeout)
        self.kv = AsyncKv(calls)
        self.episodic = AsyncEpisodic(calls)
        self.semantic = AsyncSemantic(calls)
        self.artifact = AsyncArtifact(calls)
        self.lease = AsyncLease(calls)
        self.graph = AsyncGraph(calls)
        self.recall = AsyncRecall(calls)
        self.admin = AsyncAdmin(calls)

    @property
    def channel(self) -> grpc.aio.Channel:
        return self._channel

    async def close(self) -> None:
        await self._channel.close(None)

    async def __aenter__(self) -> "AsyncMemSidecar":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class AsyncKv:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def put(self, namespace: str, key: str, value: bytes | str, *, ttl: DurationLike | None = None,
                  content_type: str = "", metadata: Metadata | None = None, if_version: int | None = None,
                  timeout: float | None = _DEFAULT) -> kv_pb2.PutResponse:
        return await self._c.unary("KV.Put", rq.kv_put(namespace, key, value, ttl, content_type, metadata,
                                                        if_version), timeout)

    async def get(self, namespace: str, key: str, *, timeout: float | None = _DEFAULT) -> kv_pb2.GetResponse:
        return await self._c.unary("KV.Get", kv_pb2.GetRequest(namespace=namespace, key=key), timeout)

    async def multi_get(self, namespace: str, keys: Sequence[str], *,
                        timeout: float | None = _DEFAULT) -> list[kv_pb2.KVItem]:
        resp = await self._c.unary("KV.MultiGet", kv_pb2.MultiGetRequest(namespace=namespace, keys=list(keys)),
                                   timeout)
        return list(resp.items)

    async def delete(self, namespace: str, key: str, *, if_version: int | None = None,
                     timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("KV.Delete", rq.kv_delete(namespace, key, if_version), timeout)).existed

    def scan(self, namespace: str, *, key_prefix: str = "", limit: int = 0, include_values: bool = False,
             start_after: str = "", timeout: float | None = None) -> AsyncStream[kv_pb2.KVItem]:
        return self._c.stream("KV.Scan", rq.kv_scan(namespace, key_prefix, limit, include_values, start_after),
                              timeout)

    async def txn(self, namespace: str, *, compare: Iterable[kv_pb2.TxnCompare | Mapping[str, Any]] = (),
                  success: Iterable[kv_pb2.TxnOp | Mapping[str, Any]] = (),
                  failure: Iterable[kv_pb2.TxnOp | Mapping[str, Any]] = (),
                  timeout: float | None = _DEFAULT) -> kv_pb2.TxnResponse:
        """As :meth:`memsidecar.client.Kv.txn`."""
        return await self._c.unary("KV.Txn", rq.kv_txn(namespace, compare, success, failure), timeout)

    async def get_access(self, namespace: str, key: str, *,
                         timeout: float | None = _DEFAULT) -> kv_pb2.GetAccessResponse:
        return await self._c.unary("KV.GetAccess", kv_pb2.GetAccessRequest(namespace=namespace, key=key), timeout)


class AsyncEpisodic:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def append(self, namespace: str, type: str, payload: bytes | str = b"", *,
                     metadata: Metadata | None = None, role: str = "", session_id: str = "", dedup_key: str = "",
                     supersedes: Sequence[str] | None = None, source: str = "",
                     timeout: float | None = _DEFAULT) -> episodic_pb2.Event:
        request = rq.ep_append(namespace, type, payload, metadata, role, session_id, dedup_key, supersedes, source)
        attempts = _core.RETRY_ATTEMPTS if dedup_key else 1
        for attempt in range(1, attempts + 1):
            try:
                return (await self._c.unary("Episodic.Append", request, timeout)).event
            except Unavailable:
                if attempt == attempts:
                    raise
                await asyncio.sleep(random.uniform(0, 0.1 * 2 ** attempt))
        raise AssertionError("unreachable")

    def range(self, namespace: str, *, after_cursor: int = 0, before_cursor: int = 0, limit: int = 0,
              reverse: bool = False, after_time: TimeLike | None = None, before_time: TimeLike | None = None,
              include_deleted: bool = False, session_id: str = "", role: str = "", type: str = "",
              timeout: float | None = None) -> AsyncStream[episodic_pb2.Event]:
        return self._c.stream("Episodic.Range", rq.ep_range(namespace, after_cursor, before_cursor, limit, reverse,
                                                             after_time, before_time, include_deleted, session_id,
                                                             role, type), timeout)

    def tail(self, namespace: str, *, after_cursor: int = 0, include_historical: bool = False,
             timeout: float | None = None) -> AsyncStream[episodic_pb2.Event]:
        return self._c.stream("Episodic.Tail", episodic_pb2.TailRequest(
            namespace=namespace, after_cursor=after_cursor, include_historical=include_historical), timeout)

    async def expire(self, namespace: str, *, action: int | str | None = None, max_rows: int = 1000,
                     before_cursor: int = 0, before_time: TimeLike | None = None,
                     timeout: float | None = _DEFAULT) -> int:
        return (await self._c.unary("Episodic.Expire", rq.ep_expire(namespace, action, max_rows, before_cursor,
                                                                     before_time), timeout)).affected


class AsyncSemantic:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def upsert(self, namespace: str, records: Iterable[semantic_pb2.Record | Mapping[str, Any]], *,
                     timeout: float | None = _DEFAULT) -> semantic_pb2.UpsertResponse:
        return await self._c.unary("Semantic.Upsert", rq.sem_upsert(namespace, records), timeout)

    async def search(self, namespace: str, *, query_text: str = "", query_vector: Sequence[float] | None = None,
                     top_k: int = 10, filter: Metadata | None = None, predicates: Sequence[Any] | None = None,
                     created_after: TimeLike | None = None, created_before: TimeLike | None = None,
                     mode: int | str | None = None, rerank_candidate_k: int = 0, include_payload: bool = False,
                     include_vector: bool = False, as_of: TimeLike | None = None, include_invalidated: bool = False,
                     ids_only: bool = False, timeout: float | None = _DEFAULT) -> list[semantic_pb2.Hit]:
        request = rq.sem_search(namespace, query_text, query_vector, top_k, filter, predicates, created_after,
                                created_before, mode, rerank_candidate_k, include_payload, include_vector, as_of,
                                include_invalidated, ids_only)
        return list((await self._c.unary("Semantic.Search", request, timeout)).hits)

    async def get(self, namespace: str, id: str, *, include_payload: bool = True, include_vector: bool = False,
                  include_invalidated: bool = False, as_of: TimeLike | None = None,
                  timeout: float | None = _DEFAULT) -> semantic_pb2.Record | None:
        resp = await self._c.unary("Semantic.Get", rq.sem_get(namespace, id, include_payload, include_vector,
                                                               include_invalidated, as_of), timeout)
        return resp.record if resp.found else None

    async def delete(self, namespace: str, id: str, *, hard: bool = False,
                     timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("Semantic.Delete", semantic_pb2.DeleteRequest(namespace=namespace, id=id,
                                                                                  hard=hard), timeout)).existed

    async def expire(self, namespace: str, *, action: int | str | None = None, max_rows: int = 1000,
                     filter: Metadata | None = None, timeout: float | None = _DEFAULT) -> int:
        return (await self._c.unary("Semantic.Expire", rq.sem_expire(namespace, action, max_rows, filter),
                                    timeout)).affected


class AsyncArtifactReader:
    """An artifact's body, streamed: ``async for chunk in reader`` or ``await reader.read()``; ``meta``
    is its header. A whole body read to its end has its SHA-256 checked."""

    def __init__(self, stream: AsyncStream[artifact_pb2.GetResponse], meta: artifact_pb2.ArtifactMeta,
                 whole: bool, where: str) -> None:
        self._stream = stream
        self.meta = meta
        self._digest = _artifacts.Digest(meta, whole, where)

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        async for msg in self._stream:
            self._digest.update(msg.chunk.data)
            yield msg.chunk.data
        self._digest.verify()

    async def read(self) -> bytes:
        return b"".join([c async for c in self._chunks()])

    async def aclose(self) -> None:
        await self._stream.aclose()
        self._digest.close()

    async def __aenter__(self) -> "AsyncArtifactReader":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


async def _put_requests(init: artifact_pb2.PutRequest, data: Any, chunk_size: int) -> AsyncIterator[Any]:
    if hasattr(data, "__aiter__"):
        yield init
        async for piece in data:
            for part in _artifacts.chunks(piece if isinstance(piece, (bytes, bytearray, memoryview))
                                          else [piece], _artifacts.MAX_CHUNK):
                yield _artifacts.chunk_message(part)
        return
    pieces = _artifacts.chunks(data, chunk_size)
    yield init
    if _artifacts.is_file_source(data):  # file reads off the event loop
        while (piece := await asyncio.to_thread(next, pieces, None)) is not None:
            yield _artifacts.chunk_message(piece)
    else:
        for piece in pieces:
            yield _artifacts.chunk_message(piece)


class AsyncArtifact:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def put(self, namespace: str, data: _artifacts.Source | AsyncIterator[bytes], *, id: str = "",
                  content_type: str = "", metadata: Metadata | None = None, expected_size: int | None = None,
                  expected_sha256: str = "", chunk_size: int = _artifacts.CHUNK,
                  timeout: float | None = None) -> artifact_pb2.ArtifactRef:
        """Uploads bytes, a path, a binary file, an iterable or an async iterable of byte chunks, streamed."""
        init = rq.art_init(namespace, id, content_type, metadata, expected_size, expected_sha256)
        if not hasattr(data, "__aiter__"):
            _artifacts.chunks(data, _artifacts.check_chunk_size(chunk_size))  # refuse a bad source before the call
        return (await self._c.unary("Artifact.Put", _put_requests(init, data, chunk_size), timeout)).ref

    async def open(self, namespace: str, id: str, *, offset: int = 0, length: int = 0, verify: bool = True,
                   timeout: float | None = None) -> AsyncArtifactReader:
        stream = self._c.stream("Artifact.Get", artifact_pb2.GetRequest(namespace=namespace, id=id, offset=offset,
                                                                        length=length), timeout)
        where = f"artifact {namespace}/{id}"
        first = await anext(stream, None)
        if first is None or not first.HasField("header"):
            await stream.aclose()
            raise MemSidecarError(f"{where}: the stream did not start with a header")
        return AsyncArtifactReader(stream, first.header.meta, verify and offset == 0 and length == 0, where)

    async def get(self, namespace: str, id: str, *, offset: int = 0, length: int = 0, verify: bool = True,
                  timeout: float | None = None) -> bytes:
        async with await self.open(namespace, id, offset=offset, length=length, verify=verify,
                                   timeout=timeout) as reader:
            return await reader.read()

    async def get_to(self, namespace: str, id: str, destination: str | os.PathLike[str] | IO[bytes], *,
                     offset: int = 0, length: int = 0, verify: bool = True,
               timeout: float | None = None) -> artifact_pb2.ArtifactMeta:
        async with await self.open(namespace, id, offset=offset, length=length, verify=verify,
                                   timeout=timeout) as reader:
            if hasattr(destination, "write"):
                async for data in reader:
                    destination.write(data)  # type: ignore[union-attr]
                return reader.meta
            part = _artifacts.part_path(destination)  # type: ignore[arg-type]
            try:
                f = await asyncio.to_thread(open, part, "wb")
                try:
                    async for data in reader:
                        await asyncio.to_thread(f.write, data)
                finally:
                    f.close()
                os.replace(part, destination)  # type: ignore[arg-type]
            except BaseException:
                if os.path.exists(part):
                    os.remove(part)
                raise
            return reader.meta

    async def stat(self, namespace: str, id: str, *,
                   timeout: float | None = _DEFAULT) -> artifact_pb2.ArtifactMeta | None:
        resp = await self._c.unary("Artifact.Stat", artifact_pb2.StatRequest(namespace=namespace, id=id), timeout)
        return resp.meta if resp.found else None

    async def delete(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("Artifact.Delete", artifact_pb2.DeleteRequest(namespace=namespace, id=id),
                                    timeout)).existed

    def list(self, namespace: str, *, filter: Metadata | None = None, start_after: str = "", limit: int = 0,
             timeout: float | None = None) -> AsyncStream[artifact_pb2.ArtifactMeta]:
        return self._c.stream("Artifact.List", rq.art_list(namespace, filter, start_after, limit), timeout)


class AsyncLease:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def acquire(self, namespace: str, key: str, *, ttl: DurationLike, wait_for: DurationLike | None = None,
                      metadata: Metadata | None = None, timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle:
        if timeout is _DEFAULT and wait_for is not None and self._c.timeout is not None:
            timeout = self._c.timeout + _core.seconds(wait_for)
        return (await self._c.unary("Lease.Acquire", rq.lease_acquire(namespace, key, ttl, wait_for, metadata),
                                    timeout)).handle

    async def renew(self, holder_id: str, namespace: str, key: str, *, ttl: DurationLike | None = None,
                    timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle:
        return (await self._c.unary("Lease.Renew", rq.lease_renew(holder_id, namespace, key, ttl), timeout)).handle

    async def release(self, holder_id: str, namespace: str, key: str, *,
                      timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("Lease.Release", lease_pb2.ReleaseRequest(
            holder_id=holder_id, namespace=namespace, key=key), timeout)).existed

    async def inspect(self, namespace: str, key: str, *,
                      timeout: float | None = _DEFAULT) -> lease_pb2.LeaseHandle | None:
        resp = await self._c.unary("Lease.Inspect", lease_pb2.InspectRequest(namespace=namespace, key=key), timeout)
        return resp.handle if resp.held else None

    async def list(self, namespace: str, *, timeout: float | None = _DEFAULT) -> list[lease_pb2.LeaseHandle]:
        return list((await self._c.unary("Lease.List", lease_pb2.ListRequest(namespace=namespace), timeout)).leases)


class AsyncGraph:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def upsert_nodes(self, namespace: str, nodes: Iterable[graph_pb2.Node | Mapping[str, Any]], *,
                           timeout: float | None = _DEFAULT) -> list[str]:
        return list((await self._c.unary("Graph.UpsertNodes", rq.graph_nodes(namespace, nodes), timeout)).ids)

    async def upsert_edges(self, namespace: str, edges: Iterable[graph_pb2.Edge | Mapping[str, Any]], *,
                           timeout: float | None = _DEFAULT) -> list[str]:
        return list((await self._c.unary("Graph.UpsertEdges", rq.graph_edges(namespace, edges), timeout)).ids)

    async def get_node(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> graph_pb2.Node:
        return await self._c.unary("Graph.GetNode", graph_pb2.GetNodeRequest(namespace=namespace, id=id), timeout)

    async def neighbors(self, namespace: str, node_id: str, *, edge_types: Sequence[str] | None = None,
                        direction: int | str | None = None, node_labels: Sequence[str] | None = None,
                        limit: int = 0, as_of: TimeLike | None = None,
                        timeout: float | None = _DEFAULT) -> graph_pb2.NeighborsResponse:
        return await self._c.unary("Graph.Neighbors", rq.graph_neighbors(namespace, node_id, edge_types, direction,
                                                                          node_labels, limit, as_of), timeout)

    async def traverse(self, namespace: str, start_id: str, *, edge_types: Sequence[str] | None = None,
                       direction: int | str | None = None, depth: int = 0, max_nodes: int = 0,
                       as_of: TimeLike | None = None, timeout: float | None = _DEFAULT) -> graph_pb2.Subgraph:
        return await self._c.unary("Graph.Traverse", rq.graph_traverse(namespace, start_id, edge_types, direction,
                                                                        depth, max_nodes, as_of), timeout)

    async def delete_node(self, namespace: str, id: str, *, cascade: bool = False,
                          timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("Graph.DeleteNode", graph_pb2.DeleteNodeRequest(
            namespace=namespace, id=id, cascade=cascade), timeout)).existed

    async def delete_edge(self, namespace: str, id: str, *, timeout: float | None = _DEFAULT) -> bool:
        return (await self._c.unary("Graph.DeleteEdge", graph_pb2.DeleteEdgeRequest(namespace=namespace, id=id),
                                    timeout)).existed


class AsyncRecall:
    """Recall (not in the original): the dense, lexical, graph-proximity and recency lanes of a semantic namespace
    (and a graph namespace whose node ids name records) fused by weighted reciprocal rank fusion, in one call.
    ``weights`` maps lanes (``dense``, ``lexical``, ``graph``, ``recency``) to weights (defaults 1, 1, 2, 0);
    ``explain`` adds each hit's lane ranks and graph path; ``include_subgraph`` the nodes and edges joining them.

    >>> r = await m.recall("notes", query_text="where does alice work", graph_namespace="people",
    ...              focal_node_ids=["alice"], expand_depth=2, explain=True)
    >>> [(h.record.id, list(h.evidence.path_node_ids)) for h in r.hits]
    """

    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def __call__(self, semantic_namespace: str, *, query_text: str = "",
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
        return await self._c.unary("Recall.Recall", request, timeout)


class AsyncAdmin:
    def __init__(self, calls: _Calls) -> None:
        self._c = calls

    async def list_namespaces(self, *, timeout: float | None = _DEFAULT) -> admin_pb2.ListNamespacesResponse:
        return await self._c.unary("Admin.ListNamespaces", admin_pb2.ListNamespacesRequest(), timeout)
