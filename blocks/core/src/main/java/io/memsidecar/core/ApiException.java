package io.memsidecar.core;

/**
 * The only exception that crosses the API boundary. Expected outcomes (bad input, version
 * mismatch, denied) carry no stack trace: they are answers, not faults.
 */
public class ApiException extends RuntimeException {
    private final Code code;

    public ApiException(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ApiException(Code code, String message, Throwable cause) {
        super(message, cause, false, true);
        this.code = code;
    }

    public Code code() {
        return code;
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
}
