"""memsidecar: durable, access-controlled memory for agents — the Python client.

>>> import datetime as dt
>>> from memsidecar import MemSidecar
>>> with MemSidecar("127.0.0.1:7777", token=token) as m:
...     m.kv.put("scratchpad", "hello", b"world", ttl=dt.timedelta(minutes=5))
...     m.kv.get("scratchpad", "hello").value
"""

from memsidecar.aio import AsyncMemSidecar
from memsidecar.client import ArtifactReader, MemSidecar, Stream
from memsidecar.errors import (Aborted, AlreadyExists, Cancelled, DataLoss, DeadlineExceeded, FailedPrecondition,
                               IntegrityError, Internal, InvalidArgument, MemSidecarError, NotFound,
                               PermissionDenied, ResourceExhausted, Unauthenticated, Unavailable, Unimplemented,
                               VersionMismatch)

__all__ = [
    "MemSidecar", "AsyncMemSidecar", "Stream", "ArtifactReader",
    "MemSidecarError", "Aborted", "AlreadyExists", "Cancelled", "DataLoss", "DeadlineExceeded",
    "FailedPrecondition", "IntegrityError", "Internal", "InvalidArgument", "NotFound", "PermissionDenied",
    "ResourceExhausted", "Unauthenticated", "Unavailable", "Unimplemented", "VersionMismatch",
]
__version__ = "0.1.0"
