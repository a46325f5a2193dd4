"""The Python SDK against bare grpcio stubs on the same channel and server (docs/benchmarks.md).

KV Get and Put round trips (closed loop, one caller, memory driver) and a 64 MiB artifact Put and Get
(filesystem driver), in alternating rounds; prints each round and the median ratio SDK / bare, and the
SDK's peak RSS growth for the 64 MiB transfers. Run it with tests/bench/python-sdk.sh.
"""

from __future__ import annotations

import hashlib
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "tests"))

from sidecar import KeyPair, Sidecar  # noqa: E402

from memsidecar import MemSidecar  # noqa: E402
from memsidecar._core import METHODS  # noqa: E402
from memsidecar.artifact.v1 import artifact_pb2  # noqa: E402
from memsidecar.kv.v1 import kv_pb2  # noqa: E402

ROUNDS = 9
CALLS = 4000
BIG = 64 * 1024 * 1024
CHUNK = 256 * 1024


def hwm_kib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> None:
    keys = KeyPair()
    blobs = tempfile.mkdtemp(prefix="memsidecar-bench-")
    server = Sidecar(keys, "backends: [ { name: mem, driver: memory }, "
                           f"{{ name: disk, driver: fs, options: {{ base_dir: \"{blobs}\" }} }} ]\n"
                           "namespaces: [ { block: kv, name: b, backend: mem }, "
                           "{ block: artifact, name: blobs, backend: disk } ]\n")
    try:
        with MemSidecar(server.address, token=keys.token()) as m:
            ch, md = m.channel, m.kv._c.metadata
            bare = {name: ch.unary_unary(METHODS[name].path, request_serializer=METHODS[name].request.SerializeToString,
                                         response_deserializer=METHODS[name].response.FromString)
                    for name in ("KV.Get", "KV.Put")}
            put_stub = ch.stream_unary(METHODS["Artifact.Put"].path,
                                       request_serializer=artifact_pb2.PutRequest.SerializeToString,
                                       response_deserializer=artifact_pb2.PutResponse.FromString)
            get_stub = ch.unary_stream(METHODS["Artifact.Get"].path,
                                       request_serializer=artifact_pb2.GetRequest.SerializeToString,
                                       response_deserializer=artifact_pb2.GetResponse.FromString)
            value = b"v" * 100
            m.kv.put("b", "k", value)
            cases = {
                "KV Get": (lambda i: m.kv.get("b", "k"),
                           lambda i: bare["KV.Get"](kv_pb2.GetRequest(namespace="b", key="k"), timeout=30, metadata=md)),
                "KV Put": (lambda i: m.kv.put("b", f"k{i % 100}", value),
                           lambda i: bare["KV.Put"](kv_pb2.PutRequest(namespace="b", key=f"k{i % 100}", value=value),
                                                    timeout=30, metadata=md)),
            }
            for fn_sdk, fn_bare in cases.values():  # warm up
                rate(fn_sdk, 500), rate(fn_bare, 500)
            print(f"# {CALLS} calls a round, {ROUNDS} rounds, order alternating")
            for name, (fn_sdk, fn_bare) in cases.items():
                ratios = []
                for r in range(ROUNDS):
                    if r % 2 == 0:
                        s, b = rate(fn_sdk, CALLS), rate(fn_bare, CALLS)
                    else:
                        b, s = rate(fn_bare, CALLS), rate(fn_sdk, CALLS)
                    ratios.append(s / b)
                    print(f"{name} round {r + 1}: SDK {s:,.0f}/s, bare {b:,.0f}/s, {s / b:.2f}x")
                print(f"{name}: median SDK / bare stub = {statistics.median(ratios):.2f}x")

            block = hashlib.sha256(b"x").digest() * (CHUNK // 32)

            def pieces():
                for _ in range(BIG // CHUNK):
                    yield block

            def bare_put(i):
                def reqs():
                    yield artifact_pb2.PutRequest(init=artifact_pb2.PutInit(namespace="blobs", id=f"bare{i}"))
                    for p in pieces():
                        yield artifact_pb2.PutRequest(chunk=artifact_pb2.PutChunk(data=p))
                put_stub(reqs(), metadata=md)

            def bare_get(i):
                for _ in get_stub(artifact_pb2.GetRequest(namespace="blobs", id=f"bare{i}"), metadata=md):
                    pass

            def sdk_put(i):
                m.artifact.put("blobs", pieces(), id=f"sdk{i}")

            def sdk_get(i, verify=True):
                with m.artifact.open("blobs", f"sdk{i}", verify=verify) as reader:
                    for _ in reader.chunks():
                        pass

            def sdk_get_unverified(i):
                sdk_get(i, verify=False)

            sdk_put("warm"), bare_put("warm"), sdk_get("warm"), bare_get("warm")
            m.artifact.delete("blobs", "sdkwarm"), m.artifact.delete("blobs", "barewarm")
            start_hwm = hwm_kib()
            for label, fs, fb in (("Put", sdk_put, bare_put), ("Get", sdk_get, bare_get),
                                  ("Put again", sdk_put, bare_put), ("Get verify=False", sdk_get_unverified, bare_get)):
                ratios = []
                for r in range(ROUNDS):
                    order = [("sdk", fs), ("bare", fb)] if r % 2 == 0 else [("bare", fb), ("sdk", fs)]
                    speed = {}
                    for who, fn in order:
                        t = time.perf_counter()
                        fn(r)
                        speed[who] = BIG / (time.perf_counter() - t) / 1e6
                    ratios.append(speed["sdk"] / speed["bare"])
                    if label.startswith("Get"):  # the next round stores anew: keep the disk and page cache small
                        m.artifact.delete("blobs", f"sdk{r}")
                        m.artifact.delete("blobs", f"bare{r}")
                    print(f"64 MiB {label} round {r + 1}: SDK {speed['sdk']:.0f} MB/s, bare {speed['bare']:.0f} MB/s, "
                          f"{ratios[-1]:.2f}x")
                print(f"64 MiB {label}: median SDK / bare stubs = {statistics.median(ratios):.2f}x")
            print(f"peak RSS growth over the 64 MiB transfers: {(hwm_kib() - start_hwm) / 1024:.1f} MiB")
    finally:
        server.stop()
        shutil.rmtree(blobs, ignore_errors=True)


if __name__ == "__main__":
    main()
