package io.memsidecar.mcp;

import com.google.protobuf.Message;
import io.grpc.MethodDescriptor;
import java.util.List;

/**
 * How the tools reach the API. {@code memctl mcp} calls over a gRPC channel; the server's
 * {@code /mcp} calls its routing table directly, through the same auth, policy and rate-limit
 * filters as every other transport. Methods are named by their generated descriptors, so both
 * sides agree on the wire contract.
 */
public interface Rpc {
    /** A unary call; a failure is an {@link RpcException} with the gRPC code. */
    <Q extends Message, R extends Message> R unary(MethodDescriptor<Q, R> method, Q request);

    /** A server stream, read whole (the tools only ask for bounded ones). */
    <Q extends Message, R extends Message> List<R> collect(MethodDescriptor<Q, R> method, Q request);

    /** A failed call: the gRPC status code name (e.g. {@code PERMISSION_DENIED}) and its message. */
    final class RpcException extends RuntimeException {
        private final String code;

        public RpcException(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public String code() {
            return code;
        }

        /** As the tools print it: {@code CODE: message}. */
        @Override
        public String toString() {
            return code + ": " + getMessage();
        }
    }
}
