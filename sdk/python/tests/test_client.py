"""The blocking client against a real server: every block on the memory and PostgreSQL drivers,
typed errors, retries' limits, deadlines, cancellation, the Unix socket."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import threading
import time

import grpc
import pytest

import memsidecar
from memsidecar import MemSidecar
from memsidecar.errors import (DeadlineExceeded, FailedPrecondition, IntegrityError, InvalidArgument,
                               MemSidecarError, NotFound, PermissionDenied, ResourceExhausted, Unauthenticated,
                               Unavailable, VersionMismatch)
from memsidecar.kv.v1 import kv_pb2
from memsidecar.recall.v1 import recall_pb2
from memsidecar.semantic.v1 import semantic_pb2


@pytest.fixture(scope="module")
def m(sidecar, token):
    with MemSidecar(sidecar.address, token=token) as client:
        yield client


def test_the_original_readme_snippet_runs_as_is(sidecar, token):
    with MemSidecar(sidecar.address, token=token) as m:
        m.kv.put("kv-mem", "hello", b"world", ttl=dt.timedelta(minutes=5))
        assert m.kv.get("kv-mem", "hello").value == b"world"


def test_token_defaults_to_the_environment(sidecar, token, monkeypatch):
    monkeypatch.setenv("MEMSIDECAR_TOKEN", token)
    with MemSidecar(sidecar.address) as m:
        assert m.kv.put("kv-mem", "env", "x").version >= 1
    monkeypatch.delenv("MEMSIDECAR_TOKEN")
    with pytest.raises(ValueError, match="token"):
        MemSidecar(sidecar.address)


def test_kv_every_method(m, backend, unique):
    ns = f"kv-{backend}"
    first = m.kv.put(ns, f"{unique}/a", b"1", content_type="text/plain", metadata={"who": "me"})
    assert first.version == 1
    got = m.kv.get(ns, f"{unique}/a")
    assert (got.found, got.value, got.content_type, dict(got.metadata)) == (True, b"1", "text/plain", {"who": "me"})
    assert m.kv.put(ns, f"{unique}/a", "2", if_version=1).version == 2
    with pytest.raises(VersionMismatch) as stale:
        m.kv.put(ns, f"{unique}/a", b"3", if_version=1)
    assert isinstance(stale.value, FailedPrecondition) and isinstance(stale.value, grpc.RpcError)
    assert stale.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(VersionMismatch):
        m.kv.put(ns, f"{unique}/a", b"x", if_version=0)
    m.kv.put(ns, f"{unique}/b", b"b", ttl=60)
    m.kv.put(ns, f"{unique}/c", b"c", ttl=dt.timedelta(milliseconds=200))
    assert sorted(i.key for i in m.kv.multi_get(ns, [f"{unique}/b", f"{unique}/a", f"{unique}/none"])) == \
        [f"{unique}/a", f"{unique}/b"]
    time.sleep(1.2)
    assert not m.kv.get(ns, f"{unique}/c").found
    scanned = list(m.kv.scan(ns, key_prefix=f"{unique}/", include_values=True))
    assert [(i.key, i.value) for i in scanned] == [(f"{unique}/a", b"2"), (f"{unique}/b", b"b")]
    assert [i.key for i in m.kv.scan(ns, key_prefix=f"{unique}/", start_after=f"{unique}/a", limit=5)] == \
        [f"{unique}/b"]
    assert m.kv.get_access(ns, f"{unique}/a").found
    with pytest.raises(VersionMismatch):
        m.kv.delete(ns, f"{unique}/a", if_version=7)
    assert m.kv.delete(ns, f"{unique}/a", if_version=2) is True
    assert m.kv.delete(ns, f"{unique}/a") is False
    assert not m.kv.get(ns, f"{unique}/a").found


def test_kv_txn_moves_a_value_between_keys_atomically(m, backend, unique):
    ns = f"kv-{backend}"
    a, b = f"{unique}/from", f"{unique}/to"
    m.kv.put(ns, a, b"10")
    moved = m.kv.txn(ns, compare=[{"key": a, "version": 1}, {"key": b, "absent": True}],
                     success=[{"put": {"key": a, "value": b"7"}}, {"put": {"key": b, "value": b"3"}}],
                     failure=[{"get": {"key": a}}])
    assert moved.succeeded and list(moved.failed_compares) == []
    assert [r.put.version for r in moved.results] == [2, 1]
    stale = m.kv.txn(ns, compare=[kv_pb2.TxnCompare(key=a, version=1)], success=[{"delete": {"key": a}}],
                     failure=[{"get": {"key": a}}, {"get": {"key": b}}])
    assert not stale.succeeded and list(stale.failed_compares) == [0]
    assert [(r.get.value, r.get.version) for r in stale.results] == [(b"7", 2), (b"3", 1)]
    with pytest.raises(InvalidArgument):
        m.kv.txn(ns, success=[{"put": {"key": a, "value": b"1"}}, {"delete": {"key": a}}])
    assert m.kv.get(ns, a).value == b"7"


def test_kv_bad_input_gets_typed_errors(m, sidecar, keys, unique):
    with pytest.raises(InvalidArgument) as bad:
        m.kv.put("kv-mem", "", b"x")
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT and bad.value.message
    with pytest.raises(ResourceExhausted):
        m.kv.put("kv-mem", unique, b"x" * (1024 * 1024 + 1))
    assert not m.kv.get("kv-mem", unique).found, "a refused write stores nothing"
    m.kv.put("small", f"{unique}1", b"1")
    m.kv.put("small", f"{unique}2", b"2")
    with pytest.raises(ResourceExhausted):
        m.kv.put("small", f"{unique}3", b"3")
    with pytest.raises(NotFound):
        m.kv.get("no-such-namespace", "k")
    with MemSidecar(sidecar.address, token=keys.token(ns="kv/kv-mem", ops="kv.get")) as narrow:
        with pytest.raises(PermissionDenied):
            narrow.kv.put("kv-mem", unique, b"x")
        with pytest.raises(PermissionDenied):
            narrow.kv.get("kv-pg", unique)
    with MemSidecar(sidecar.address, token="v4.public.not-a-token") as forged:
        with pytest.raises(Unauthenticated) as e:
            forged.kv.get("kv-mem", unique)
        assert isinstance(e.value, grpc.RpcError)


def test_unavailable_after_retries_and_a_deadline(token):
    from sidecar import free_port
    with MemSidecar(f"127.0.0.1:{free_port()}", token=token, timeout=5) as gone:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            gone.kv.get("kv-mem", "k")
        with pytest.raises(Unavailable):
            gone.kv.put("kv-mem", "k", b"v")
        assert time.monotonic() - started < 5


def test_deadline_exceeded_on_a_wait_past_the_timeout(m, backend, unique):
    held = m.lease.acquire(f"locks-{backend}", unique, ttl=30)
    with pytest.raises(DeadlineExceeded):
        m.lease.acquire(f"locks-{backend}", unique, ttl=30, wait_for=10, timeout=0.5)
    m.lease.release(held.holder_id, f"locks-{backend}", unique)


def test_unix_socket_target(sidecar, token):
    with MemSidecar(f"unix:{sidecar.socket}", token=token) as m:
        m.kv.put("kv-mem", "over-uds", b"y")
        assert m.kv.get("kv-mem", "over-uds").value == b"y"


def test_episodic_append_range_tail_expire(m, backend, unique):
    ns = f"ev-{backend}"
    a = m.episodic.append(ns, "message", b"hi", role="user", session_id=unique, metadata={"k": "v"})
    b = m.episodic.append(ns, "tool_call", "search", role="assistant", session_id=unique, dedup_key=f"{unique}-d")
    again = m.episodic.append(ns, "tool_call", "search", role="assistant", session_id=unique, dedup_key=f"{unique}-d")
    assert again.id == b.id and again.cursor == b.cursor
    assert b.cursor > a.cursor
    mine = list(m.episodic.range(ns, after_cursor=a.cursor - 1, session_id=unique))
    assert [(e.type, e.payload) for e in mine] == [("message", b"hi"), ("tool_call", b"search")]
    assert [e.type for e in m.episodic.range(ns, after_cursor=a.cursor - 1, session_id=unique, reverse=True)] == \
        ["tool_call", "message"]
    assert [e.id for e in m.episodic.range(ns, after_cursor=a.cursor - 1, session_id=unique, role="user")] == [a.id]

    seen: list[str] = []
    tail = m.episodic.tail(ns, after_cursor=b.cursor, include_historical=True)

    def follow() -> None:
        for event in tail:
            seen.append(event.type)

    reader = threading.Thread(target=follow)
    reader.start()
    m.episodic.append(ns, "live", b"", session_id=unique)
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.05)
    tail.close()  # cancels the call: the loop ends, no error
    reader.join(5)
    assert not reader.is_alive() and seen[0] == "live"

    affected = m.episodic.expire(ns, action="soft_delete", before_cursor=b.cursor)
    assert affected >= 1
    assert [e.id for e in m.episodic.range(ns, after_cursor=a.cursor - 1, session_id=unique)][0] != a.id


def test_semantic_every_method(m, backend, unique):
    ns = f"notes-{backend}"
    resp = m.semantic.upsert(ns, [
        {"id": f"{unique}-cat", "content": "the cat sat on the mat", "metadata": {"topic": "pets", "run": unique}},
        semantic_pb2.Record(id=f"{unique}-rev", content="quarterly revenue grew", metadata={"run": unique}),
    ])
    assert list(resp.ids) == [f"{unique}-cat", f"{unique}-rev"] and list(resp.versions) == [1, 1]
    hits = m.semantic.search(ns, query_text="the cat sat on the mat", top_k=2, filter={"run": unique})
    assert hits[0].record.id == f"{unique}-cat"
    assert [h.record.id for h in m.semantic.search(ns, query_text="cat", filter={"topic": "pets", "run": unique},
                                                   mode="hybrid", ids_only=True)] == [f"{unique}-cat"]
    assert m.semantic.search(ns, query_text="quarterly revenue grew", filter={"run": unique}, ids_only=True)[0].record.content == ""
    record = m.semantic.get(ns, f"{unique}-cat")
    assert record is not None and record.content == "the cat sat on the mat"
    assert m.semantic.get(ns, f"{unique}-none") is None
    with pytest.raises(ValueError, match="dense"):
        m.semantic.search(ns, query_text="x", mode="fuzzy")
    assert m.semantic.delete(ns, f"{unique}-cat") is True
    assert m.semantic.get(ns, f"{unique}-cat") is None
    assert m.semantic.expire(ns, action="hard_delete", filter={"run": unique}) >= 1
    with pytest.raises(InvalidArgument):
        m.semantic.search(ns)  # neither text nor vector


@pytest.mark.parametrize("ns", ["blobs-mem", "blobs-disk"])
def test_artifact_every_method_and_source(m, ns, unique, tmp_path):
    body = bytes(range(256)) * 4096 + b"tail"  # ~1 MiB, several chunks
    sha = hashlib.sha256(body).hexdigest()
    path = tmp_path / "in.bin"
    path.write_bytes(body)
    sources = {"bytes": body, "path": path, "str-path": str(path), "file": io.BytesIO(body),
               "chunks": (body[i:i + 100_000] for i in range(0, len(body), 100_000))}
    for name, source in sources.items():
        ref = m.artifact.put(ns, source, id=f"{unique}-{name}", content_type="application/octet-stream",
                             metadata={"src": name}, chunk_size=64 * 1024)
        assert (ref.size, ref.sha256) == (len(body), sha), name
    assert m.artifact.get(ns, f"{unique}-bytes") == body
    assert m.artifact.get(ns, f"{unique}-bytes", offset=10, length=20) == body[10:30]
    with m.artifact.open(ns, f"{unique}-path") as reader:
        assert reader.meta.sha256 == sha and reader.meta.metadata["src"] == "path"
        assert reader.read(5) == body[:5]
        assert reader.read() == body[5:]
    out = tmp_path / "out.bin"
    meta = m.artifact.get_to(ns, f"{unique}-file", out)
    assert out.read_bytes() == body and meta.size == len(body)
    sink = io.BytesIO()
    m.artifact.get_to(ns, f"{unique}-chunks", sink)
    assert sink.getvalue() == body
    stat = m.artifact.stat(ns, f"{unique}-bytes")
    assert stat is not None and stat.size == len(body)
    assert m.artifact.stat(ns, f"{unique}-none") is None
    listed = [a.id for a in m.artifact.list(ns, filter={"src": "file"})]
    assert f"{unique}-file" in listed and f"{unique}-bytes" not in listed
    assert m.artifact.delete(ns, f"{unique}-bytes") is True
    assert m.artifact.delete(ns, f"{unique}-bytes") is False
    with pytest.raises(NotFound):
        m.artifact.open(ns, f"{unique}-bytes")
    with pytest.raises(InvalidArgument):
        m.artifact.put(ns, body, id=f"{unique}-bad", expected_sha256="0" * 64)
    assert m.artifact.stat(ns, f"{unique}-bad") is None, "a refused upload leaves nothing"
    with pytest.raises(TypeError):
        m.artifact.put(ns, 12345, id=f"{unique}-int")  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        m.artifact.put(ns, tmp_path / "missing", id=f"{unique}-missing")


def test_artifact_digest_mismatch_is_an_integrity_error():
    from memsidecar._artifacts import Digest
    from memsidecar.artifact.v1 import artifact_pb2
    digest = Digest(artifact_pb2.ArtifactMeta(sha256=hashlib.sha256(b"right").hexdigest()), True, "artifact x")
    digest.update(b"wrong")
    with pytest.raises(IntegrityError):
        digest.verify()


def test_lease_every_method(m, backend, unique):
    ns = f"locks-{backend}"
    h = m.lease.acquire(ns, unique, ttl=dt.timedelta(seconds=30), metadata={"by": "pytest"})
    assert h.fencing_token >= 1 and h.metadata["by"] == "pytest"
    with pytest.raises(FailedPrecondition):
        m.lease.acquire(ns, unique, ttl=30)
    inspected = m.lease.inspect(ns, unique)
    assert inspected is not None and inspected.holder_id == h.holder_id
    renewed = m.lease.renew(h.holder_id, ns, unique, ttl=60)
    assert renewed.expires_at.ToDatetime() > h.expires_at.ToDatetime()
    assert h.holder_id in [x.holder_id for x in m.lease.list(ns)]
    assert m.lease.release(h.holder_id, ns, unique) is True
    assert m.lease.inspect(ns, unique) is None
    assert m.lease.release(h.holder_id, ns, unique) is False
    nxt = m.lease.acquire(ns, unique, ttl=1, wait_for=dt.timedelta(seconds=2))
    assert nxt.fencing_token > h.fencing_token


def test_graph_every_method(m, backend, unique):
    ns = f"graph-{backend}"
    paris, france, europe = f"{unique}-paris", f"{unique}-france", f"{unique}-europe"
    assert m.graph.upsert_nodes(ns, [{"id": paris, "labels": ["City"]}, {"id": france, "labels": ["Country"]},
                                     {"id": europe, "labels": ["Continent"], "props": {"k": "v"}}]) == \
        [paris, france, europe]
    m.graph.upsert_edges(ns, [{"id": f"{unique}-e1", "type": "CAPITAL_OF", "from": paris, "to": france,
                               "valid_from": dt.datetime(1987, 1, 1, tzinfo=dt.timezone.utc)},
                              {"id": f"{unique}-e2", "type": "IN", "from_": france, "to": europe}])
    assert list(m.graph.get_node(ns, paris).labels) == ["City"]
    with pytest.raises(NotFound):
        m.graph.get_node(ns, f"{unique}-none")
    near = m.graph.neighbors(ns, paris, edge_types=["CAPITAL_OF"], direction="out")
    assert [n.id for n in near.nodes] == [france]
    assert m.graph.neighbors(ns, paris, direction="out", as_of=dt.datetime(1980, 1, 1)).nodes == []
    sub = m.graph.traverse(ns, paris, direction="out", depth=2)
    assert {n.id for n in sub.nodes} == {paris, france, europe}
    with pytest.raises(FailedPrecondition):
        m.graph.delete_node(ns, france)
    assert m.graph.delete_edge(ns, f"{unique}-e2") is True
    assert m.graph.delete_node(ns, france, cascade=True) is True
    assert m.graph.delete_node(ns, france) is False


def test_recall_fuses_the_graph_lane_and_explains(m, backend, unique):
    notes, graph = f"notes-{backend}", f"graph-{backend}"
    alice, bob, acme, near = (f"{unique}-{n}" for n in ("alice", "bob", "acme", "near"))
    query = [1.0] + [0.0] * 15
    m.semantic.upsert(notes, [{"id": near, "content": "close", "vector": [1.0, 0.3] + [0.0] * 14},
                              {"id": acme, "content": "the employer", "vector": [0.1, 0, 0, 1.0] + [0.0] * 12}])
    m.graph.upsert_nodes(graph, [{"id": alice}, {"id": bob}, {"id": acme}])
    m.graph.upsert_edges(graph, [{"id": f"{unique}-e1", "type": "knows", "from": alice, "to": bob},
                                 {"id": f"{unique}-e2", "type": "works_at", "from_": bob, "to": acme}])
    r = m.recall(notes, query_vector=query, graph_namespace=graph, focal_node_ids=[alice], expand_depth=2,
                 edge_types=["knows", "works_at"], direction="out", explain=True, include_subgraph=True)
    # acme: graph rank 1 (1/61) and a dense rank; near: a dense rank (1/61 at best, and then acme wins the tie by
    # id). PostgreSQL namespaces keep earlier runs' records, so other ids may rank between them.
    ids = [h.record.id for h in r.hits]
    assert acme in ids[:2] and (near not in ids or ids.index(acme) < ids.index(near))
    why = r.hits[ids.index(acme)].evidence
    assert list(why.path_node_ids) == [alice, bob, acme]
    assert [e.type for e in why.path_edges] == ["knows", "works_at"]
    assert {lr.lane for lr in why.lanes} >= {recall_pb2.LANE_GRAPH}
    assert {e.id for e in r.subgraph.edges} == {f"{unique}-e1", f"{unique}-e2"}
    plain = m.recall(notes, query_vector=query, weights={"graph": 0})
    assert not plain.hits[0].HasField("evidence") and not plain.HasField("subgraph")
    with pytest.raises(InvalidArgument):
        m.recall(notes, query_vector=query, graph_namespace=graph, focal_node_ids=[alice], expand_depth=3)
    with pytest.raises(ValueError):
        m.recall(notes, query_vector=query, weights={"fame": 1.0})


def test_admin_lists_namespaces(m):
    resp = m.admin.list_namespaces()
    assert {"kv-mem", "ev-mem", "notes-mem", "blobs-disk"} <= {n.name for n in resp.namespaces}
    assert resp.server.version


def test_public_names_are_exported():
    for name in memsidecar.__all__:
        assert hasattr(memsidecar, name)
    assert issubclass(memsidecar.MemSidecarError, grpc.RpcError)
    assert issubclass(MemSidecarError, Exception)


def test_artifact_reads_past_the_first_mib_hash_on_a_thread_and_an_abandoned_read_stops_it(m, unique):
    body = bytes(range(256)) * 16384  # 4 MiB: past the inline first MiB
    m.artifact.put("blobs-mem", body, id=f"{unique}-4m")
    assert m.artifact.get("blobs-mem", f"{unique}-4m") == body
    assert m.artifact.get("blobs-mem", f"{unique}-4m", verify=False) == body
    def hashing() -> bool:
        return any(t.name == "memsidecar-sha256" for t in threading.enumerate())

    with m.artifact.open("blobs-mem", f"{unique}-4m") as reader:
        assert reader.read(3 * 1024 * 1024) == body[:3 * 1024 * 1024]
        assert hashing(), "past the first MiB the hash runs on its own thread"
    assert not hashing(), "closing an unfinished read stops its hashing thread"


def test_a_reset_after_the_deadline_is_deadline_exceeded_and_codes_map_to_classes():
    from memsidecar.errors import Cancelled, Internal, from_rpc_error

    class Failed(grpc.RpcError):
        def __init__(self, code, details):
            self._code, self._details = code, details

        def code(self):
            return self._code

        def details(self):
            return self._details

    reset = Failed(grpc.StatusCode.CANCELLED, "Stream removed")
    assert type(from_rpc_error(reset, "Lease.Acquire", deadline_passed=True)) is DeadlineExceeded
    assert type(from_rpc_error(reset, "Lease.Acquire")) is Cancelled
    internal = from_rpc_error(Failed(grpc.StatusCode.INTERNAL, "kv.put: internal error (correlation id 4f2a-9c)"))
    assert type(internal) is Internal and internal.correlation_id == "4f2a-9c"
    mismatch = from_rpc_error(Failed(grpc.StatusCode.FAILED_PRECONDITION, "version mismatch: have 3"))
    assert type(mismatch) is VersionMismatch and mismatch.details() == "version mismatch: have 3"
