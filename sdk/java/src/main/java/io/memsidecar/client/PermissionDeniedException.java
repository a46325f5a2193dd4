package io.memsidecar.client;

import io.grpc.Status;

/** Out of the token's scope, or denied by policy. */
public class PermissionDeniedException extends MemSidecarException {
    public PermissionDeniedException(String message, Throwable cause) {
        super(Status.Code.PERMISSION_DENIED, message, cause);
    }
}
