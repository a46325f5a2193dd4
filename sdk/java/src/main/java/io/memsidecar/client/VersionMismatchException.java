package io.memsidecar.client;

/** A compare-and-set ({@code ifVersion}) found another version: re-read and retry. */
public class VersionMismatchException extends PreconditionFailedException {
    public VersionMismatchException(String message, Throwable cause) {
        super(message, cause);
    }
}
