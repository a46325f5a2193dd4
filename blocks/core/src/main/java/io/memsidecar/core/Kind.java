package io.memsidecar.core;

/** The shape of an RPC. */
public enum Kind {
    UNARY,
    SERVER_STREAMING
}
