package io.memsidecar.client;

import io.grpc.Status;

/** No token, or one that is invalid or expired. */
public class UnauthenticatedException extends MemSidecarException {
    public UnauthenticatedException(String message, Throwable cause) {
        super(Status.Code.UNAUTHENTICATED, message, cause);
    }
}
