package io.memsidecar.client;

import io.grpc.Status;

/** The sidecar could not be reached or did not answer in time (UNAVAILABLE, DEADLINE_EXCEEDED). */
public class UnavailableException extends MemSidecarException {
    public UnavailableException(Status.Code code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
