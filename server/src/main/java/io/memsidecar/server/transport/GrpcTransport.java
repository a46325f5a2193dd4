package io.memsidecar.server.transport;

import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.helidon.webserver.grpc.GrpcConnectionContext;
import io.helidon.webserver.grpc.ServerContextKeys;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Kind;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.core.Source;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.graph.v1.GraphGrpc;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.recall.v1.RecallGrpc;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.server.auth.AuthFilter;
import io.memsidecar.server.auth.TlsMaterial;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Generates the gRPC services from the routing table. Every method of the wire contract is
 * bound to its route (a method without one is a start-up error). The same definitions serve
 * grpc-netty's TCP and Unix-socket listeners and, with {@code server.grpc.transport: helidon}, Helidon's.
 */
public final class GrpcTransport {
    static final Metadata.Key<String> CAPABILITY =
            Metadata.Key.of(AuthFilter.HEADER, Metadata.ASCII_STRING_MARSHALLER);

    /** The whole wire contract, in service order. */
    static final List<ServiceDescriptor> CONTRACT = List.of(
            KVGrpc.getServiceDescriptor(), EpisodicGrpc.getServiceDescriptor(), SemanticGrpc.getServiceDescriptor(),
            ArtifactGrpc.getServiceDescriptor(), LeaseGrpc.getServiceDescriptor(), GraphGrpc.getServiceDescriptor(),
            AdminGrpc.getServiceDescriptor(), RecallGrpc.getServiceDescriptor());

    private GrpcTransport() {
    }

    /**
     * Requests arrive as raw bytes and are parsed by the route, so that a malformed message is
     * INVALID_ARGUMENT like malformed JSON on the gateway, not a transport-level failure.
     */
    public static List<ServerServiceDefinition> services(RoutingTable table, String transport) {
        var out = new ArrayList<ServerServiceDefinition>();
        for (ServiceDescriptor sd : CONTRACT) {
            var methods = new ArrayList<MethodDescriptor<byte[], ?>>();
            var descriptor = ServiceDescriptor.newBuilder(sd.getName()).setSchemaDescriptor(sd.getSchemaDescriptor());
            for (MethodDescriptor<?, ?> md : sd.getMethods()) {
                MethodDescriptor<byte[], ?> raw = md.toBuilder(RAW, RESPONSE).build();
                methods.add(raw);
                descriptor.addMethod(raw);
            }
            var builder = ServerServiceDefinition.builder(descriptor.build());
            for (MethodDescriptor<byte[], ?> md : methods) {
                Route<?, ?> route = table.route(md.getFullMethodName()).orElseThrow(() ->
                        new IllegalStateException("no route for " + md.getFullMethodName() + " of the wire contract"));
                bind(builder, md, route, transport);
            }
            out.add(builder.build());
        }
        return out;
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                // Both transports hand over a stream that knows its length: read it in one go, into
                // one array (InputStream.readNBytes(int) would gather 16 KiB pieces and copy them again).
                byte[] bytes = new byte[stream.available()];
                int read = stream.readNBytes(bytes, 0, bytes.length);
                if (read < bytes.length) {
                    return java.util.Arrays.copyOf(bytes, read);
                }
                int next = stream.read();
                if (next < 0) {
                    return bytes;
                }
                var rest = new java.io.ByteArrayOutputStream(bytes.length * 2 + 1);
                rest.write(bytes);
                rest.write(next);
                stream.transferTo(rest);
                return rest.toByteArray();
            } catch (java.io.IOException e) {
                throw Status.INTERNAL.withDescription("cannot read request").withCause(e).asRuntimeException();
            }
        }
    };

    /** Responses as one array, which the transports copy in a single write. */
    private static final MethodDescriptor.Marshaller<Object> RESPONSE = new MethodDescriptor.Marshaller<>() {
        @Override
        public java.io.InputStream stream(Object value) {
            return new java.io.ByteArrayInputStream(((Message) value).toByteArray());
        }

        @Override
        public Object parse(java.io.InputStream stream) {
            throw new UnsupportedOperationException("the server never parses responses");
        }
    };

    /**
     * {@code services} for Helidon's gRPC, which runs without message compression (MemsidecarServer):
     * a compressed request is refused there as the gRPC spec has it — UNIMPLEMENTED, with the
     * encodings the server accepts — before Helidon, which would fail on its compressed bytes and
     * leave the call hanging, reads it. grpc-netty reads gzip.
     */
    public static List<ServerServiceDefinition> uncompressed(List<ServerServiceDefinition> services) {
        return services.stream().map(s -> ServerInterceptors.intercept(s, REFUSE_COMPRESSED)).toList();
    }

    /** How much a server stream may leave waiting in the transport before it blocks (see startCall). */
    private static final int STREAM_READY_BYTES = 1 << 20;
    private static final Metadata.Key<String> ENCODING = Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> ACCEPT_ENCODING =
            Metadata.Key.of("grpc-accept-encoding", Metadata.ASCII_STRING_MARSHALLER);
    private static final ServerInterceptor REFUSE_COMPRESSED = new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String encoding = headers.get(ENCODING);
            if (encoding == null || encoding.equals("identity")) {
                return next.startCall(call, headers);
            }
            var trailers = new Metadata();
            trailers.put(ACCEPT_ENCODING, "identity");
            call.close(Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding + " is not accepted here (gRPC on"
                    + " Helidon's transport runs without compression); send messages uncompressed"), trailers);
            return new ServerCall.Listener<>() {
            };
        }
    };

    public static Set<String> serviceNames() {
        return Set.copyOf(CONTRACT.stream().map(ServiceDescriptor::getName).toList());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void bind(ServerServiceDefinition.Builder builder, MethodDescriptor<byte[], ?> md,
                             Route<?, ?> route, String transport) {
        builder.addMethod(md, (ServerCallHandler) new RouteHandler<>((Route) route, transport));
    }

    /**
     * Answers a call with {@code status} once the client has sent something. Closing inside
     * {@code startCall} would be simpler, but Helidon's server call fails when closed before it
     * has a listener.
     */
    static <Q> ServerCall.Listener<Q> rejecting(ServerCall<Q, ?> call, Status status) {
        call.request(1);
        return new ServerCall.Listener<>() {
            private boolean closed;

            private void close() {
                if (!closed) {
                    closed = true;
                    call.close(status, new Metadata());
                }
            }

            @Override
            public void onMessage(Q message) {
                close();
            }

            @Override
            public void onHalfClose() {
                close();
            }
        };
    }

    static Status status(ApiException e) {
        return Status.fromCodeValue(e.code().grpcValue()).withDescription(e.getMessage());
    }

    /** Runs one route for one call: collects the single request, then runs the handler blocking. */
    private static final class RouteHandler<Q extends Message, R extends Message> implements ServerCallHandler<byte[], R> {
        private final Route<Q, R> route;
        private final String transport;

        RouteHandler(Route<Q, R> route, String transport) {
            this.route = route;
            this.transport = transport;
        }

        @Override
        public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], R> call, Metadata headers) {
            var listener = new Listener<>(route, transport, call, headers);
            // A client stream on Helidon takes every message as it comes and applies backpressure by
            // blocking on its bounded queue (which holds back the HTTP/2 window). grpc-netty deframes
            // whatever is requested and queues it for the call's thread without bound, so there the
            // handler asks for each next message as it takes one. The others need one message.
            call.request(route.kind() != Kind.CLIENT_STREAMING ? 2 : listener.pulls ? Listener.BUFFERED + 1 : Integer.MAX_VALUE);
            if (route.kind() == Kind.SERVER_STREAMING) {
                // A stream keeps sending until 1 MiB waits in the transport, not grpc-java's 32 KiB: at
                // 32 KiB every 64 KiB artifact chunk parked the handler until the transport drained
                // (an artifact Get to a native client: ~450 MB/s at 32 KiB, 700–970 at 1 MiB).
                call.setOnReadyThreshold(STREAM_READY_BYTES);
            }
            return listener;
        }
    }

    private static final class Listener<Q extends Message, R extends Message> extends ServerCall.Listener<byte[]> {
        /** Marks the end of a client stream in the queue (compared by identity: an empty message is valid). */
        private static final byte[] END = new byte[0];
        /** Client-stream messages buffered between the transport and the handler. */
        private static final int BUFFERED = 4;

        private final Route<Q, R> route;
        private final BlockingQueue<byte[]> rest = new ArrayBlockingQueue<>(BUFFERED);
        private final String transport;
        private final ServerCall<byte[], R> call;
        private final Metadata headers;
        private final Optional<String> clientSubject;
        private final long deadline;
        /** grpc-netty: client-stream messages are requested one by one as the handler takes them. */
        private final boolean pulls;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private volatile boolean cancelled;
        private volatile Thread worker;
        private volatile boolean finished;
        private byte[] request;
        private boolean tooMany;

        Listener(Route<Q, R> route, String transport, ServerCall<byte[], R> call, Metadata headers) {
            this.route = route;
            this.transport = transport;
            this.call = call;
            this.headers = headers;
            // Helidon puts the connection in the gRPC context while it starts the call; grpc-netty keeps
            // the TLS session in the call's attributes (none on the Unix socket).
            GrpcConnectionContext connection = ServerContextKeys.CONNECTION_CONTEXT.get();
            this.pulls = connection == null;
            this.clientSubject = connection != null ? TlsMaterial.clientSubject(connection.remotePeer())
                    : Optional.ofNullable(call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION))
                            .flatMap(TlsMaterial::clientSubject);
            // grpc-netty turns grpc-timeout into the context's deadline; Helidon leaves the header.
            io.grpc.Deadline context = io.grpc.Context.current().getDeadline();
            this.deadline = context != null ? CallDeadline.from(context)
                    : CallDeadline.from(header("grpc-timeout"), Optional.empty());
        }

        private Optional<String> header(String name) {
            return Optional.ofNullable(headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
        }

        private boolean streaming() {
            return route.kind() == Kind.CLIENT_STREAMING;
        }

        @Override
        public void onMessage(byte[] message) {
            if (request == null) {
                request = message;
                if (streaming()) {
                    // The handler pulls the rest while the transport keeps delivering them.
                    Thread.ofVirtual().name("memsidecar-stream-" + route.method()).start(this::run);
                }
            } else if (streaming()) {
                enqueue(message);
            } else {
                tooMany = true;
            }
        }

        /** Blocks the transport's thread while the handler is behind: that is the backpressure. */
        private void enqueue(byte[] message) {
            try {
                while (!cancelled && !finished && !rest.offer(message, 100, TimeUnit.MILLISECONDS)) {
                    // the handler is still busy with earlier messages
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void onHalfClose() {
            if (streaming() && request != null) {
                enqueue(END);
                return;
            }
            if (request == null || tooMany) {
                call.close(Status.INVALID_ARGUMENT.withDescription(streaming() ? "expected at least one message"
                        : "expected exactly one request message"), new Metadata());
                return;
            }
            if (route.kind() == Kind.SERVER_STREAMING) {
                // Off the transport's thread: grpc-netty delivers onReady and onCancel through the
                // same serial executor, so a stream that waited for onReady there would only ever
                // wake at its poll timeout (measured: 0.7 MB/s instead of hundreds).
                Thread.ofVirtual().name("memsidecar-stream-" + route.method()).start(this::run);
            } else {
                run();
            }
        }

        /** The messages after the first, for the handler of a client stream. */
        private Optional<Q> next() {
            try {
                byte[] m = rest.take();
                if (m == END) {
                    return Optional.empty();
                }
                if (pulls) {
                    call.request(1);
                }
                return Optional.of(parse(route, m));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(Code.CANCELLED, "call cancelled by the client");
            }
        }

        private void run() {
            var c = new Call(transport, Optional.ofNullable(headers.get(CAPABILITY)), () -> cancelled || call.isCancelled(),
                    this::header).withRest((Source<Q>) this::next).withClientSubject(clientSubject).withDeadline(deadline);
            boolean[] headersSent = {false};
            worker = Thread.currentThread();
            try {
                route.handler().handle(c, parse(route, request), item -> {
                    awaitReady(c);
                    if (!headersSent[0]) {
                        call.sendHeaders(new Metadata());
                        headersSent[0] = true;
                    }
                    call.sendMessage(item);
                });
                call.close(Status.OK, new Metadata());
            } catch (ApiException e) {
                closeQuietly(status(e));
            } catch (RuntimeException e) {
                // The filters map handler failures; this is a failure of the transport or a filter itself.
                System.getLogger(GrpcTransport.class.getName()).log(System.Logger.Level.ERROR,
                        "call " + route.fullName() + " failed outside its handler", e);
                closeQuietly(Status.INTERNAL.withDescription(route.op().name() + ": internal error"));
            } finally {
                worker = null;
                finished = true;
            }
        }

        @SuppressWarnings("unchecked")
        private static <Q extends Message> Q parse(Route<Q, ?> route, byte[] bytes) {
            try {
                // bytes fields alias the message's array (ours alone) instead of copying it: an
                // artifact chunk is not copied on the way to the driver. Aliasing needs an input that
                // protobuf knows to be immutable, which CodedInputStream.newInstance(byte[]) is not.
                var in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
                in.enableAliasing(true);
                Q q = (Q) route.requestPrototype().getParserForType().parseFrom(in);
                in.checkLastTagWas(0);
                return q;
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw ApiException.invalidArgument("malformed " + route.requestPrototype().getDescriptorForType().getFullName()
                        + " message: " + e.getMessage());
            }
        }

        private void closeQuietly(Status status) {
            if (!cancelled) {
                try {
                    call.close(status, new Metadata());
                } catch (IllegalStateException alreadyClosed) {
                    // the client went away first
                }
            }
        }

        /** Blocks a streaming handler while the transport's buffer is full (flow control). */
        private void awaitReady(Call c) {
            if (c.isCancelled()) {
                throw new ApiException(Code.CANCELLED, "call cancelled by the client");
            }
            if (call.isReady()) {
                return;
            }
            lock.lock();
            try {
                while (!call.isReady()) {
                    if (c.isCancelled()) {
                        throw new ApiException(Code.CANCELLED, "call cancelled by the client");
                    }
                    ready.await(100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(Code.CANCELLED, "interrupted");
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onReady() {
            lock.lock();
            try {
                ready.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /**
         * The client went away: a handler blocked in a wait (a Tail between events, an Acquire
         * with wait_for) is interrupted so it ends now, not at its next timeout.
         */
        @Override
        public void onCancel() {
            cancelled = true;
            Thread w = worker;
            if (w != null) {
                w.interrupt();
            }
            onReady();
        }

        /** Helidon reports a client's RST_STREAM here, not in onCancel; after a normal close it is moot. */
        @Override
        public void onComplete() {
            onCancel();
        }
    }
}
