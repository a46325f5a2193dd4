package io.memsidecar.server.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InternalServer;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.memsidecar.core.ApiException;
import io.memsidecar.server.auth.AuthFilter;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * gRPC server reflection, behind authentication (the original served it to anyone). Any valid
 * capability token may list the services; the contract is public, but an open port is not an
 * invitation.
 *
 * <p>grpc-java's reflection service finds the services through the server in the gRPC context,
 * which only grpc-java's own server sets. Helidon's does not, so this interceptor puts a view of
 * our service definitions there ({@link InternalServer#SERVER_CONTEXT_KEY}, grpc-java's
 * documented hook for servers it does not build).
 */
public final class Reflection {
    private Reflection() {
    }

    public static ServerServiceDefinition service(List<ServerServiceDefinition> services, AuthFilter auth) {
        io.grpc.Server view = new ServicesView(services);
        ServerInterceptor guard = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                              ServerCallHandler<Q, R> next) {
                try {
                    String token = AuthFilter.bareToken(String.valueOf(headers.get(GrpcTransport.CAPABILITY)));
                    if (token.isEmpty() || token.equals("null")) {
                        throw ApiException.unauthenticated("missing capability token (header x-memsidecar-capability)");
                    }
                    auth.authenticate(token);
                } catch (ApiException e) {
                    return GrpcTransport.rejecting(call, GrpcTransport.status(e));
                }
                return Contexts.interceptCall(Context.current().withValue(InternalServer.SERVER_CONTEXT_KEY, view),
                        call, headers, next);
            }
        };
        return ServerInterceptors.intercept(ProtoReflectionService.newInstance(), guard);
    }

    /** Only what reflection reads: the list of services. */
    private static final class ServicesView extends io.grpc.Server {
        private final List<ServerServiceDefinition> services;

        ServicesView(List<ServerServiceDefinition> services) {
            this.services = List.copyOf(services);
        }

        @Override
        public List<ServerServiceDefinition> getServices() {
            return services;
        }

        @Override
        public List<ServerServiceDefinition> getImmutableServices() {
            return services;
        }

        @Override
        public io.grpc.Server start() {
            return this;
        }

        @Override
        public io.grpc.Server shutdown() {
            return this;
        }

        @Override
        public io.grpc.Server shutdownNow() {
            return this;
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }

        @Override
        public void awaitTermination() {
        }
    }
}
