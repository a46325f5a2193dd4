"""Errors of memsidecar calls as Python exceptions.

Every failed call raises a :class:`MemSidecarError` subclass chosen by its gRPC status (spec §9).
They also subclass :class:`grpc.RpcError` and keep its ``code()`` / ``details()`` methods, so code
written for the original SDK (``except grpc.RpcError as e: e.code()``) keeps working.
"""

from __future__ import annotations

import re

import grpc

__all__ = [
    "MemSidecarError", "Cancelled", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
    "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "VersionMismatch", "Aborted",
    "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated", "IntegrityError",
]

_CORRELATION = re.compile(r"correlation id ([0-9A-Za-z-]+)")


class MemSidecarError(grpc.RpcError):
    """A call that failed. ``code()`` is the :class:`grpc.StatusCode`, ``message`` the server's text,
    ``correlation_id`` the id an INTERNAL error carries (to find the server's log line), if any."""

    status: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str, *, code: grpc.StatusCode | None = None, method: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        if code is not None:
            self.status = code
        found = _CORRELATION.search(message)
        self.correlation_id: str | None = found.group(1) if found else None

    def code(self) -> grpc.StatusCode:
        return self.status

    def details(self) -> str:
        return self.message

    def __str__(self) -> str:
        where = f"{self.method}: " if self.method else ""
        return f"{where}{self.status.name}: {self.message}"


class Cancelled(MemSidecarError):
    status = grpc.StatusCode.CANCELLED


class InvalidArgument(MemSidecarError):
    status = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceeded(MemSidecarError):
    status = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFound(MemSidecarError):
    status = grpc.StatusCode.NOT_FOUND


class AlreadyExists(MemSidecarError):
    status = grpc.StatusCode.ALREADY_EXISTS


class PermissionDenied(MemSidecarError):
    status = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhausted(MemSidecarError):
    status = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPrecondition(MemSidecarError):
    status = grpc.StatusCode.FAILED_PRECONDITION


class VersionMismatch(FailedPrecondition):
    """A compare-and-set (``if_version``) met another version: read again, then retry."""


class Aborted(MemSidecarError):
    status = grpc.StatusCode.ABORTED


class Unimplemented(MemSidecarError):
    status = grpc.StatusCode.UNIMPLEMENTED


class Internal(MemSidecarError):
    status = grpc.StatusCode.INTERNAL


class Unavailable(MemSidecarError):
    """The sidecar or its backend cannot be reached now; safe to retry for idempotent calls."""

    status = grpc.StatusCode.UNAVAILABLE


class DataLoss(MemSidecarError):
    status = grpc.StatusCode.DATA_LOSS


class Unauthenticated(MemSidecarError):
    status = grpc.StatusCode.UNAUTHENTICATED


class IntegrityError(DataLoss):
    """An artifact's bytes did not hash to the SHA-256 the server announced for them."""


_BY_CODE: dict[grpc.StatusCode, type[MemSidecarError]] = {
    cls.status: cls for cls in (Cancelled, InvalidArgument, DeadlineExceeded, NotFound, AlreadyExists,
                                PermissionDenied, ResourceExhausted, FailedPrecondition, Aborted,
                                Unimplemented, Internal, Unavailable, DataLoss, Unauthenticated)
}


def from_rpc_error(error: grpc.RpcError, method: str = "", deadline_passed: bool = False) -> MemSidecarError:
    """The typed exception for a failed gRPC call (any RpcError that is also a grpc.Call).

    ``deadline_passed``: the call's deadline had expired when it failed. A server resets a stream whose
    deadline ran out, and that reset can reach the client before its own timer fires; the client
    then sees CANCELLED, which here is reported as what it is, DEADLINE_EXCEEDED."""
    if isinstance(error, MemSidecarError):
        return error
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    if code == grpc.StatusCode.CANCELLED and deadline_passed:
        code = grpc.StatusCode.DEADLINE_EXCEEDED
    message = (error.details() if hasattr(error, "details") else None) or str(error)
    cls = _BY_CODE.get(code, MemSidecarError)
    if cls is FailedPrecondition and "version mismatch" in message.lower():
        cls = VersionMismatch
    return cls(message, code=code, method=method)
