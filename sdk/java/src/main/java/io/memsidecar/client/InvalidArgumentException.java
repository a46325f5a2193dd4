package io.memsidecar.client;

import io.grpc.Status;

/** Bad input (INVALID_ARGUMENT or OUT_OF_RANGE). */
public class InvalidArgumentException extends MemSidecarException {
    public InvalidArgumentException(Status.Code code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
