package io.memsidecar.client;

import io.grpc.Status;

/** A quota, cap, size limit or rate limit. */
public class ResourceExhaustedException extends MemSidecarException {
    public ResourceExhaustedException(String message, Throwable cause) {
        super(Status.Code.RESOURCE_EXHAUSTED, message, cause);
    }
}
