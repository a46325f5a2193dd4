package io.memsidecar.server.transport;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelFactory;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code limits.max_connections} for a grpc-netty TCP listener, as Helidon's listeners apply it:
 * at the cap the listener stops accepting (the kernel's backlog holds new connections) until one
 * closes. grpc-netty has no such setting, so the listening channel gets a handler in front of the
 * bootstrap's acceptor that counts the accepted connections and turns accepting off and on.
 */
public final class ConnectionCap extends ChannelInboundHandlerAdapter {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    private ConnectionCap(int max) {
        this.max = max;
    }

    /** Listening channels (epoll where available, else NIO), each capped at {@code max} connections. */
    public static ChannelFactory<ServerChannel> serverChannels(int max) {
        return () -> {
            ServerChannel channel = Epoll.isAvailable() ? new EpollServerSocketChannel() : new NioServerSocketChannel();
            channel.pipeline().addLast(new ConnectionCap(max));
            return channel;
        };
    }

    /** An event loop group of the kind {@link #serverChannels} makes; 0 threads is Netty's default. */
    public static EventLoopGroup eventLoops(int threads) {
        return Epoll.isAvailable() ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        Channel listener = ctx.channel();
        int now = open.incrementAndGet();
        if (now > max) { // accepted in the same read as the one that reached the cap
            open.decrementAndGet();
            child.unsafe().closeForcibly();
            return;
        }
        child.closeFuture().addListener(f -> {
            if (open.decrementAndGet() < max) {
                listener.config().setAutoRead(true); // a no-op while it is on
            }
        });
        if (now == max) {
            listener.config().setAutoRead(false);
            if (open.get() < max) { // one closed in between, and its listener may have run before the line above
                listener.config().setAutoRead(true);
            }
        }
        ctx.fireChannelRead(child);
    }
}
