package io.memsidecar.core;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One call as the routing table sees it, whatever transport carried it: the raw credential the
 * caller sent, the capability the auth filter verified from it, and whether the caller has gone
 * away. Handlers and filters never see a transport type.
 */
public final class Call {
    private final String transport;
    private final Optional<String> credential;
    private final BooleanSupplier cancelled;
    private final Function<String, Optional<String>> headers;
    private volatile Capability capability;
    private volatile Source<?> rest = Source.empty();
    private volatile Optional<String> clientSubject = Optional.empty();
    private volatile long deadline = Long.MAX_VALUE;

    public Call(String transport, Optional<String> credential, BooleanSupplier cancelled) {
        this(transport, credential, cancelled, name -> Optional.empty());
    }

    /** {@code headers}: the request's headers (gRPC metadata) by lower-case name, e.g. {@code traceparent}. */
    public Call(String transport, Optional<String> credential, BooleanSupplier cancelled,
                Function<String, Optional<String>> headers) {
        this.transport = transport;
        this.credential = credential;
        this.cancelled = cancelled;
        this.headers = headers;
    }

    /** A request header (gRPC metadata) by lower-case name. */
    public Optional<String> header(String name) {
        return headers.apply(name);
    }

    /** {@code grpc}, {@code grpc-uds}, {@code http} (the gateway), {@code curl} (the friendly routes) or {@code mcp}. */
    public String transport() {
        return transport;
    }

    /** The value of the {@code x-memsidecar-capability} header, if any. */
    public Optional<String> credential() {
        return credential;
    }

    public boolean isCancelled() {
        return cancelled.getAsBoolean();
    }

    public Optional<Capability> capability() {
        return Optional.ofNullable(capability);
    }

    /** For a client stream: the messages after the first, as the transport delivers them. */
    public Call withRest(Source<?> messages) {
        this.rest = messages;
        return this;
    }

    /** The subject of the certificate the client presented on an mTLS connection. */
    public Call withClientSubject(Optional<String> subject) {
        this.clientSubject = subject;
        return this;
    }

    /** The caller's deadline, {@link System#nanoTime()} based ({@code grpc-timeout}, Connect's timeout header). */
    public Call withDeadline(long nanoTime) {
        this.deadline = nanoTime;
        return this;
    }

    /** The caller's deadline ({@link System#nanoTime()} based), {@link Long#MAX_VALUE} when it set none. */
    public long deadline() {
        return deadline;
    }

    /** The client certificate's subject (mTLS), for the access log; empty without one. */
    public Optional<String> clientSubject() {
        return clientSubject;
    }

    /** The messages of a client stream after the first one (empty for other calls). */
    @SuppressWarnings("unchecked")
    public <Q> Source<Q> rest() {
        return (Source<Q>) rest;
    }

    /** Set once by the auth filter. */
    public void authenticated(Capability capability) {
        this.capability = capability;
    }

    /** The verified capability, or UNAUTHENTICATED when no filter put one on this call. */
    public Capability requireCapability() {
        Capability c = capability;
        if (c == null) {
            throw ApiException.unauthenticated("no capability in context");
        }
        return c;
    }
}
