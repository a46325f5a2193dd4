package io.memsidecar.core;

/** The shape of an RPC. */
public enum Kind {
    UNARY,
    SERVER_STREAMING,
    /** The request is the first message; the handler pulls the rest from {@link Call#rest()}. */
    CLIENT_STREAMING
}
