"""A 256 MiB artifact through the streams, both ways, with bounded memory: the body is generated on
the fly, never held whole, and the process's resident set grows by far less than the body."""

from __future__ import annotations

import hashlib
import random

from memsidecar import AsyncMemSidecar, MemSidecar

SIZE = 256 * 1024 * 1024
PIECE = 1024 * 1024


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def _pieces():
    block = random.Random(7).randbytes(PIECE)
    for i in range(SIZE // PIECE):
        yield block[i % 7:] + block[:i % 7]


def test_256_mib_put_and_get_keep_memory_flat(sidecar, token, tmp_path, unique):
    digest = hashlib.sha256()
    for piece in _pieces():
        digest.update(piece)
    before = _rss_kib()
    with MemSidecar(sidecar.address, token=token) as m:
        ref = m.artifact.put("blobs-disk", _pieces(), id=f"{unique}-big")
        assert (ref.size, ref.sha256) == (SIZE, digest.hexdigest())
        grown_put = _rss_kib() - before
        out = tmp_path / "big.bin"
        meta = m.artifact.get_to("blobs-disk", f"{unique}-big", out)  # SHA-256 checked while streaming
        assert meta.size == SIZE and out.stat().st_size == SIZE
        grown = _rss_kib() - before
        out.unlink()
        m.artifact.delete("blobs-disk", f"{unique}-big")
    assert grown_put < 64 * 1024, f"RSS grew {grown_put} KiB during a {SIZE >> 20} MiB put"
    assert grown < 64 * 1024, f"RSS grew {grown} KiB during a {SIZE >> 20} MiB put and get"


async def test_asyncio_big_get_streams(sidecar, token, unique):
    with MemSidecar(sidecar.address, token=token) as m:
        m.artifact.put("blobs-disk", _pieces(), id=f"{unique}-abig")
    before = _rss_kib()
    async with AsyncMemSidecar(sidecar.address, token=token) as am:
        total = 0
        async with await am.artifact.open("blobs-disk", f"{unique}-abig") as reader:
            async for chunk in reader:
                total += len(chunk)
        assert total == SIZE
        await am.artifact.delete("blobs-disk", f"{unique}-abig")
    assert _rss_kib() - before < 64 * 1024
