package io.memsidecar.core;

/** Where a handler writes its responses: exactly one for a unary call, any number for a stream. */
@FunctionalInterface
public interface Sink<R> {
    void send(R item);
}
