package io.memsidecar.client;

import io.grpc.Status;

/** The state forbids it: a lease held by another, not held by this holder, a node that still has edges. */
public class PreconditionFailedException extends MemSidecarException {
    public PreconditionFailedException(String message, Throwable cause) {
        super(Status.Code.FAILED_PRECONDITION, message, cause);
    }
}
