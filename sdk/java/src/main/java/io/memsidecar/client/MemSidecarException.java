package io.memsidecar.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call that failed, with its gRPC status code. The subclasses name the cases callers handle:
 * {@link NotFoundException}, {@link VersionMismatchException}, {@link PreconditionFailedException},
 * {@link PermissionDeniedException}, {@link UnauthenticatedException},
 * {@link ResourceExhaustedException}, {@link InvalidArgumentException},
 * {@link UnavailableException} (also a deadline exceeded).
 */
public class MemSidecarException extends RuntimeException {
    private final Status.Code code;

    public MemSidecarException(Status.Code code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public Status.Code code() {
        return code;
    }

    /** The exception for a failed call. */
    static MemSidecarException of(StatusRuntimeException e) {
        Status s = e.getStatus();
        String m = s.getDescription() == null ? "" : s.getDescription();
        return switch (s.getCode()) {
            case NOT_FOUND -> new NotFoundException(m, e);
            case FAILED_PRECONDITION -> m.contains("version mismatch") ? new VersionMismatchException(m, e)
                    : new PreconditionFailedException(m, e);
            case PERMISSION_DENIED -> new PermissionDeniedException(m, e);
            case UNAUTHENTICATED -> new UnauthenticatedException(m, e);
            case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(m, e);
            case INVALID_ARGUMENT, OUT_OF_RANGE -> new InvalidArgumentException(s.getCode(), m, e);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new UnavailableException(s.getCode(), m, e);
            default -> new MemSidecarException(s.getCode(), m, e);
        };
    }
}
