"""The asyncio client: every method awaited against the real server, streams as async iterators."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io

import grpc
import pytest

from memsidecar import AsyncMemSidecar
from memsidecar.errors import DeadlineExceeded, FailedPrecondition, InvalidArgument, NotFound, VersionMismatch


@pytest.fixture
async def am(sidecar, token):
    async with AsyncMemSidecar(sidecar.address, token=token) as client:
        yield client


async def test_kv(am, backend, unique):
    ns = f"kv-{backend}"
    assert (await am.kv.put(ns, f"{unique}/a", b"1", ttl=dt.timedelta(minutes=1))).version == 1
    assert (await am.kv.get(ns, f"{unique}/a")).value == b"1"
    with pytest.raises(VersionMismatch) as e:
        await am.kv.put(ns, f"{unique}/a", b"2", if_version=5)
    assert isinstance(e.value, grpc.RpcError) and e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    await am.kv.put(ns, f"{unique}/b", b"2")
    assert sorted(i.key for i in await am.kv.multi_get(ns, [f"{unique}/a", f"{unique}/b"])) == \
        [f"{unique}/a", f"{unique}/b"]
    assert [i.key async for i in am.kv.scan(ns, key_prefix=f"{unique}/", limit=1)] == [f"{unique}/a"]
    assert (await am.kv.get_access(ns, f"{unique}/a")).found
    swapped = await am.kv.txn(ns, compare=[{"key": f"{unique}/a", "value": b"1"}],
                              success=[{"put": {"key": f"{unique}/a", "value": b"2"}}, {"get": {"key": f"{unique}/b"}}])
    assert swapped.succeeded and swapped.results[1].get.value == b"2"
    assert await am.kv.delete(ns, f"{unique}/a") is True
    with pytest.raises(InvalidArgument):
        await am.kv.get(ns, "")


async def test_episodic_tail_is_cancelled_by_leaving_the_loop(am, backend, unique):
    ns = f"ev-{backend}"
    first = await am.episodic.append(ns, "message", b"one", session_id=unique, dedup_key=f"{unique}-1")
    assert (await am.episodic.append(ns, "message", b"one", session_id=unique, dedup_key=f"{unique}-1")).id == first.id
    assert [e.payload async for e in am.episodic.range(ns, after_cursor=first.cursor - 1, session_id=unique)] == \
        [b"one"]

    async def writer() -> None:
        await asyncio.sleep(0.2)
        await am.episodic.append(ns, "message", b"two", session_id=unique)

    task = asyncio.create_task(writer())
    async with am.episodic.tail(ns, after_cursor=first.cursor, include_historical=True) as tail:
        async for event in tail:
            assert event.payload == b"two"
            break
    await task
    assert await am.episodic.expire(ns, action="hard_delete", before_cursor=first.cursor + 1) >= 1


async def test_semantic(am, backend, unique):
    ns = f"notes-{backend}"
    await am.semantic.upsert(ns, [{"id": f"{unique}-a", "content": "alpha beta", "metadata": {"run": unique}}])
    hits = await am.semantic.search(ns, query_text="alpha beta", filter={"run": unique})
    assert hits[0].record.id == f"{unique}-a"
    assert (await am.semantic.get(ns, f"{unique}-a")).content == "alpha beta"
    assert await am.semantic.delete(ns, f"{unique}-a") is True
    assert await am.semantic.get(ns, f"{unique}-a") is None
    assert await am.semantic.expire(ns, action="hard_delete", filter={"run": unique}) >= 1


async def _agen(body: bytes):
    for i in range(0, len(body), 70_000):
        yield body[i:i + 70_000]


@pytest.mark.parametrize("ns", ["blobs-mem", "blobs-disk"])
async def test_artifact(am, ns, unique, tmp_path):
    body = hashlib.sha256(unique.encode()).digest() * 40_000  # 1.28 MB
    path = tmp_path / "in.bin"
    path.write_bytes(body)
    for name, source in {"bytes": body, "path": path, "file": io.BytesIO(body), "agen": _agen(body)}.items():
        ref = await am.artifact.put(ns, source, id=f"{unique}-{name}", metadata={"src": name})
        assert ref.sha256 == hashlib.sha256(body).hexdigest(), name
    assert await am.artifact.get(ns, f"{unique}-agen") == body
    assert await am.artifact.get(ns, f"{unique}-agen", offset=3, length=4) == body[3:7]
    async with await am.artifact.open(ns, f"{unique}-path") as reader:
        assert reader.meta.size == len(body)
        assert b"".join([c async for c in reader]) == body
    out = tmp_path / "out.bin"
    assert (await am.artifact.get_to(ns, f"{unique}-file", out)).size == len(body)
    assert out.read_bytes() == body
    assert (await am.artifact.stat(ns, f"{unique}-bytes")).size == len(body)
    assert f"{unique}-agen" in [a.id async for a in am.artifact.list(ns, filter={"src": "agen"})]
    assert await am.artifact.delete(ns, f"{unique}-bytes") is True
    assert await am.artifact.stat(ns, f"{unique}-bytes") is None
    with pytest.raises(NotFound):
        await am.artifact.get(ns, f"{unique}-bytes")


async def test_lease(am, backend, unique):
    ns = f"locks-{backend}"
    h = await am.lease.acquire(ns, unique, ttl=30)
    with pytest.raises(FailedPrecondition):
        await am.lease.acquire(ns, unique, ttl=30)
    with pytest.raises(DeadlineExceeded):
        await am.lease.acquire(ns, unique, ttl=30, wait_for=10, timeout=0.3)
    assert (await am.lease.inspect(ns, unique)).holder_id == h.holder_id
    assert (await am.lease.renew(h.holder_id, ns, unique, ttl=40)).fencing_token == h.fencing_token
    assert [x.key for x in await am.lease.list(ns) if x.key == unique] == [unique]
    assert await am.lease.release(h.holder_id, ns, unique) is True
    assert await am.lease.inspect(ns, unique) is None


async def test_graph_and_admin(am, backend, unique):
    ns = f"graph-{backend}"
    await am.graph.upsert_nodes(ns, [{"id": f"{unique}-a"}, {"id": f"{unique}-b"}])
    await am.graph.upsert_edges(ns, [{"id": f"{unique}-e", "type": "T", "from": f"{unique}-a", "to": f"{unique}-b"}])
    assert (await am.graph.get_node(ns, f"{unique}-a")).id == f"{unique}-a"
    assert [n.id for n in (await am.graph.neighbors(ns, f"{unique}-a", direction="out")).nodes] == [f"{unique}-b"]
    assert len((await am.graph.traverse(ns, f"{unique}-a", depth=1)).nodes) == 2
    assert await am.graph.delete_edge(ns, f"{unique}-e") is True
    assert await am.graph.delete_node(ns, f"{unique}-a") is True
    assert "kv-mem" in [n.name for n in (await am.admin.list_namespaces()).namespaces]
    await am.semantic.upsert(f"notes-{backend}", [{"id": f"{unique}-b", "content": "b", "vector": [0.0, 1.0] + [0.0] * 14}])
    await am.graph.upsert_nodes(ns, [{"id": f"{unique}-a"}])
    await am.graph.upsert_edges(ns, [{"id": f"{unique}-e", "type": "T", "from": f"{unique}-a", "to": f"{unique}-b"}])
    r = await am.recall(f"notes-{backend}", graph_namespace=ns, focal_node_ids=[f"{unique}-a"], explain=True)
    assert [h.record.id for h in r.hits] == [f"{unique}-b"]
    assert list(r.hits[0].evidence.path_node_ids) == [f"{unique}-a", f"{unique}-b"]


async def test_unix_socket(sidecar, token):
    async with AsyncMemSidecar(f"unix://{sidecar.socket}", token=token) as am:
        await am.kv.put("kv-mem", "aio-uds", b"z")
        assert (await am.kv.get("kv-mem", "aio-uds")).value == b"z"
