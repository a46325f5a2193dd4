package io.memsidecar.core;

/**
 * The only exception that crosses the API boundary. Expected outcomes (bad input, version
 * mismatch, denied) carry no stack trace: they are answers, not faults.
 */
public class ApiException extends RuntimeException {
    private final Code code;
    private final int httpStatus;

    public ApiException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = code.httpStatus();
    }

    public ApiException(Code code, String message, Throwable cause) {
        super(message, cause, false, true);
        this.code = code;
        this.httpStatus = code.httpStatus();
    }

    private ApiException(Code code, String message, int httpStatus) {
        super(message, null, false, false);
        this.code = code;
        this.httpStatus = httpStatus;
    }

    public Code code() {
        return code;
    }

    /** The HTTP status of this answer: the code's (spec §9), unless HTTP semantics call for another. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The same answer with another HTTP status (a curl route's 412 for a failed If-Match, say). */
    public ApiException withHttpStatus(int status) {
        return new ApiException(code, getMessage(), status);
    }

    /** Input over a configured size: RESOURCE_EXHAUSTED, HTTP 413, refused before it is buffered. */
    public static ApiException tooLarge(String message) {
        return new ApiException(Code.RESOURCE_EXHAUSTED, message, 413);
    }

    public static ApiException invalidArgument(String message) {
        return new ApiException(Code.INVALID_ARGUMENT, message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(Code.NOT_FOUND, message);
    }

    public static ApiException failedPrecondition(String message) {
        return new ApiException(Code.FAILED_PRECONDITION, message);
    }

    public static ApiException permissionDenied(String message) {
        return new ApiException(Code.PERMISSION_DENIED, message);
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(Code.UNAUTHENTICATED, message);
    }

    public static ApiException resourceExhausted(String message) {
        return new ApiException(Code.RESOURCE_EXHAUSTED, message);
    }

    public static ApiException internal(String message, Throwable cause) {
        return new ApiException(Code.INTERNAL, message, cause);
    }

    /**
     * A local disk's failure for {@code op}: full (ENOSPC, quota) is RESOURCE_EXHAUSTED, read-only
     * (EROFS) UNAVAILABLE, anything else INTERNAL. The message names the condition, not the path.
     */
    public static ApiException disk(String op, java.io.IOException e) {
        String reason = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            reason = f.getReason();
        }
        if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded")) {
            return new ApiException(Code.RESOURCE_EXHAUSTED, op + ": disk full; nothing was stored", e);
        }
        if (reason.contains("Read-only file system")) {
            return new ApiException(Code.UNAVAILABLE, op + ": the disk is read-only; nothing was stored", e);
        }
        return internal(op + ": disk error", e);
    }
}
