package io.memsidecar.mcp;

import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link Rpc} over a gRPC channel (which carries the capability header); every call has a deadline. */
public final class GrpcRpc implements Rpc {
    private final Channel channel;
    private final Duration deadline;

    public GrpcRpc(Channel channel, Duration deadline) {
        this.channel = channel;
        this.deadline = deadline;
    }

    private CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public <Q extends Message, R extends Message> R unary(MethodDescriptor<Q, R> method, Q request) {
        try {
            return ClientCalls.blockingUnaryCall(channel, method, options(), request);
        } catch (StatusRuntimeException e) {
            throw failed(e);
        }
    }

    @Override
    public <Q extends Message, R extends Message> List<R> collect(MethodDescriptor<Q, R> method, Q request) {
        var out = new ArrayList<R>();
        try {
            ClientCalls.blockingServerStreamingCall(channel, method, options(), request).forEachRemaining(out::add);
            return out;
        } catch (StatusRuntimeException e) {
            throw failed(e);
        }
    }

    private static RpcException failed(StatusRuntimeException e) {
        String description = e.getStatus().getDescription();
        return new RpcException(e.getStatus().getCode().name(), description == null ? "" : description);
    }
}
