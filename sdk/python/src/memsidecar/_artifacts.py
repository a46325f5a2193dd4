"""Artifact bodies as streams of messages, both ways, never held whole."""

from __future__ import annotations

import hashlib
import itertools
import os
import queue
import threading
from typing import IO, Any, Iterable, Iterator, Union

from memsidecar.artifact.v1 import artifact_pb2
from memsidecar.errors import IntegrityError

CHUNK = 256 * 1024  # bytes per message sent; the original sent 64 KiB
MAX_CHUNK = 1024 * 1024

Source = Union[bytes, bytearray, memoryview, str, "os.PathLike[str]", IO[bytes], Iterable[bytes]]


def check_chunk_size(chunk_size: int) -> int:
    if not 1024 <= chunk_size <= MAX_CHUNK:
        raise ValueError(f"chunk_size must be between 1 KiB and 1 MiB, not {chunk_size}")
    return chunk_size


def is_file_source(data: Any) -> bool:
    return isinstance(data, (str, os.PathLike)) or hasattr(data, "read")


def chunks(data: Any, chunk_size: int) -> Iterator[bytes]:
    """The bytes of a source, chunk by chunk: bytes-like, a path, a binary file or an iterable of bytes.
    A source of another type fails here, before any call starts."""
    if not (isinstance(data, (bytes, bytearray, memoryview)) or is_file_source(data) or hasattr(data, "__iter__")):
        raise TypeError("artifact data must be bytes, a path, a binary file or an iterable of bytes, "
                        f"not {type(data).__name__}")
    if isinstance(data, (str, os.PathLike)) and not os.path.isfile(data):
        raise FileNotFoundError(f"no file at {os.fspath(data)!r}")
    return _chunks(data, chunk_size)


def _chunks(data: Any, chunk_size: int) -> Iterator[bytes]:
    if isinstance(data, (bytes, bytearray, memoryview)):
        view = memoryview(data)
        for i in range(0, len(view), chunk_size):
            yield bytes(view[i:i + chunk_size])
    elif isinstance(data, (str, os.PathLike)):
        with open(data, "rb") as f:
            yield from _read_file(f, chunk_size)
    elif hasattr(data, "read"):
        yield from _read_file(data, chunk_size)
    elif hasattr(data, "__iter__"):
        for piece in data:
            if not isinstance(piece, (bytes, bytearray, memoryview)):
                raise TypeError(f"artifact chunks must be bytes, not {type(piece).__name__}")
            if isinstance(piece, bytes) and len(piece) <= MAX_CHUNK:
                yield piece  # sent as it is: no copy
                continue
            view = memoryview(piece)
            for i in range(0, len(view), MAX_CHUNK):
                yield bytes(view[i:i + MAX_CHUNK])


def _read_file(f: IO[bytes], chunk_size: int) -> Iterator[bytes]:
    while True:
        piece = f.read(chunk_size)
        if not piece:
            return
        if isinstance(piece, str):
            raise TypeError("artifact files must be opened in binary mode ('rb')")
        yield piece


def chunk_message(data: bytes) -> artifact_pb2.PutRequest:
    return artifact_pb2.PutRequest(chunk=artifact_pb2.PutChunk(data=data))


def requests(init: artifact_pb2.PutRequest, data: Any, chunk_size: int) -> Iterator[artifact_pb2.PutRequest]:
    pieces = chunks(data, chunk_size)
    return itertools.chain((init,), map(chunk_message, pieces))


class Digest:
    """Checks that a whole body hashes to the SHA-256 its header announced. Past the first MiB the
    hashing runs on a thread of its own (hashlib releases the GIL), overlapping the receiving; a
    bounded queue keeps memory flat."""

    INLINE = 1 << 20

    def __init__(self, meta: artifact_pb2.ArtifactMeta, whole: bool, where: str) -> None:
        self._expected = meta.sha256.lower() if whole and meta.sha256 else ""
        self._hash = hashlib.sha256() if self._expected else None
        self._where = where
        self._seen = 0
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None

    def update(self, data: bytes) -> None:
        if self._hash is None:
            return
        self._seen += len(data)
        if self._queue is None:
            if self._seen <= self.INLINE:
                self._hash.update(data)
                return
            self._queue = queue.Queue(maxsize=32)
            self._thread = threading.Thread(target=self._drain, name="memsidecar-sha256", daemon=True)
            self._thread.start()
        self._queue.put(data)

    def _drain(self) -> None:
        assert self._queue is not None and self._hash is not None
        while (data := self._queue.get()) is not None:
            self._hash.update(data)

    def close(self) -> None:
        """Stops the hashing thread, if any (an abandoned read leaves none behind)."""
        if self._queue is not None and self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._queue = None

    def verify(self) -> None:
        self.close()
        if self._hash is not None and self._hash.hexdigest() != self._expected:
            raise IntegrityError(f"{self._where}: the body's SHA-256 {self._hash.hexdigest()} is not the "
                                 f"announced {self._expected}")
        self._hash = None  # verified once


def part_path(path: str | os.PathLike[str]) -> str:
    return os.fspath(path) + ".part"
