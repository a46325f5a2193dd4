package io.memsidecar.client;

import io.grpc.Status;

/** Namespace not configured, artifact or graph node missing. */
public class NotFoundException extends MemSidecarException {
    public NotFoundException(String message, Throwable cause) {
        super(Status.Code.NOT_FOUND, message, cause);
    }
}
