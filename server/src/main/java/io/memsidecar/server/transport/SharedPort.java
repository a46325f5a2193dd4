package io.memsidecar.server.transport;

import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelFuture;
import io.grpc.netty.shaded.io.netty.channel.ChannelFutureListener;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.ChannelPipeline;
import io.grpc.netty.shaded.io.netty.channel.ChannelPromise;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.ChannelInputShutdownEvent;
import io.grpc.netty.shaded.io.netty.channel.socket.DuplexChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.AsciiString;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC and HTTP on one TCP port, with gRPC served by grpc-netty: what lets the embedded default
 * answer grpcurl and curl on 7777 at grpc-netty's speed (docs/benchmarks.md, "Transport"). A new
 * connection is told apart by its first bytes and then either goes on through grpc-netty's own
 * negotiation or is relayed byte for byte to Helidon's listener, where the gateway, curl routes,
 * health and MCP are served with the same filters. In plaintext that listener is a Unix socket in a
 * directory only this user can enter ({@link #privateSocket}): no second TCP port for the other
 * containers of a pod to find, and a cheaper hop (1.03–1.15× the relayed requests per second of
 * loopback TCP, docs/benchmarks.md); over TLS (Helidon 4 serves no TLS on a Unix socket), where
 * grpc-netty has no epoll, or where no such directory can be made, a loopback port.
 *
 * <p>In plaintext, {@code PRI} opens the HTTP/2 preface ({@code PRI * HTTP/2.0}), which plaintext
 * gRPC clients send first; anything else is an HTTP/1.x request line (curl, browsers, an h2c
 * upgrade; no method starts with PRI, while PUT, POST, PATCH and PROPFIND share a prefix with it)
 * and is relayed. HTTP/2 with prior knowledge is gRPC only: telling a gRPC stream from another
 * HTTP/2 request takes the first request's headers, and grpc-java clients wait for the server's
 * SETTINGS before sending them, so the connection would have to be answered before it is known
 * which server answers.
 *
 * <p>Over TLS the ClientHello's ALPN offer decides ({@link ClientHello}): a client that offers
 * HTTP/2 and not HTTP/1.x — every gRPC client — gets grpc-netty's TLS; any other (curl, browsers,
 * the JDK's HttpClient, a client without ALPN) is relayed still encrypted to Helidon's TLS
 * listener, which serves gRPC too, so a gRPC client that also offers http/1.1 keeps working there.
 *
 * <p>The builder's handshake timeout has to be off ({@code handshakeTimeout(Long.MAX_VALUE, ...)}):
 * a relayed connection never finishes gRPC's handshake. This class closes a connection that sends
 * nothing for a while ({@link #FIRST_BYTES}) instead.
 */
public final class SharedPort implements InternalProtocolNegotiator.ProtocolNegotiator {
    /** As long as grpc-java's own handshake timeout, which this replaces. */
    public static final Duration FIRST_BYTES = Duration.ofMinutes(2);
    /** sun_path is 108 bytes on Linux, with its terminating NUL. */
    private static final int SOCKET_PATH_MAX = 107;
    private static final String SOCKET_DIR_PREFIX = "memsidecar-http-";
    private static final String SOCKET_NAME = "http.sock";
    private static final byte[] PREFACE = "PRI".getBytes(StandardCharsets.US_ASCII);
    /**
     * The send buffer asked for on both ends of the relay's Unix socket connections (the relay's
     * here, Helidon's by its listener): a Unix socket has no autotuning and its default
     * (net.core.wmem_default, 208 KiB) stalls a big upload whenever Helidon's reader falls behind,
     * and a big download whenever the relay does, where loopback TCP grows its window to megabytes.
     * The kernel caps it at net.core.wmem_max; memory is only taken while bytes wait in it.
     */
    public static final int UNIX_SEND_BUFFER = 4 << 20;
    private static final String UNAVAILABLE_BODY = "the HTTP listener is not accepting.\r\n";
    private static final byte[] UNAVAILABLE = ("HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\ncontent-length: "
            + UNAVAILABLE_BODY.length() + "\r\nconnection: close\r\n\r\n" + UNAVAILABLE_BODY).getBytes(StandardCharsets.US_ASCII);

    private final InternalProtocolNegotiator.ProtocolNegotiator grpc;
    private final boolean tls;
    private final SocketAddress http;
    private final Duration firstBytes;

    private SharedPort(Optional<SslContext> tls, SocketAddress http, Duration firstBytes) {
        this.grpc = tls.map(InternalProtocolNegotiators::serverTls).orElseGet(InternalProtocolNegotiators::serverPlaintext);
        this.tls = tls.isPresent();
        this.http = http;
        this.firstBytes = firstBytes;
    }

    /**
     * Server credentials for {@code NettyServerBuilder.forAddress} that relay what is not gRPC to
     * {@code http} (a TCP address, or a Unix socket's from {@link #privateSocket}) and close a
     * connection that sends nothing within {@code firstBytes}; with {@code tls}, gRPC's TLS (and
     * {@code http} is a TLS listener).
     */
    public static ServerCredentials credentials(Optional<SslContext> tls, SocketAddress http, Duration firstBytes) {
        SocketAddress target = http instanceof UnixDomainSocketAddress unix ? new DomainSocketAddress(unix.getPath().toString()) : http;
        return InternalNettyServerCredentials.create(new SharedPort(tls, target, firstBytes));
    }

    /**
     * A path for the relay's Unix socket, in a new directory that only this user may enter (the
     * caller removes both when it stops, {@link #removePrivateSocket}; those of killed sidecars are
     * removed here); empty where grpc-netty's connections are not epoll's (the relay connects on
     * their event loop) or no such directory can be made — the relay then goes to a loopback port.
     */
    public static Optional<Path> privateSocket() {
        if (!Epoll.isAvailable()) {
            return Optional.empty();
        }
        try {
            removeAbandonedSockets(Path.of(System.getProperty("java.io.tmpdir")));
            Path socket = Files.createTempDirectory(SOCKET_DIR_PREFIX,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))).resolve(SOCKET_NAME);
            if (socket.toString().getBytes(StandardCharsets.UTF_8).length < SOCKET_PATH_MAX) {
                return Optional.of(socket);
            }
            Files.delete(socket.getParent());
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) { // no writable temp directory, or not POSIX
            return Optional.empty();
        }
    }

    /**
     * Removes the socket directories of sidecars that were killed before they could (a crash, an
     * OOM kill): those whose socket refuses a connection — nothing listens there any more. A live
     * one accepts or, with a full backlog, is busy (not refused); a directory younger than a minute
     * may belong to a sidecar still starting (between bind and listen its socket refuses too), and
     * other users' cannot be entered: those are left alone.
     */
    static void removeAbandonedSockets(Path tmp) {
        Instant settled = Instant.now().minus(Duration.ofMinutes(1));
        try (var dirs = Files.newDirectoryStream(tmp, SOCKET_DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                Path socket = dir.resolve(SOCKET_NAME);
                try {
                    if (Files.getLastModifiedTime(dir).toInstant().isBefore(settled) && refuses(socket)) {
                        removePrivateSocket(socket);
                    }
                } catch (IOException | RuntimeException e) {
                    // not ours, not a socket, or gone meanwhile: left alone
                }
            }
        } catch (IOException e) {
            // an unreadable temp directory: nothing to clean
        }
    }

    /** Whether nothing listens on {@code socket} (it exists but refuses; a missing one throws). */
    private static boolean refuses(Path socket) throws IOException {
        try (var probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(socket));
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }

    /** Removes a socket from {@link #privateSocket} (if its listener left it) and its directory. */
    public static void removePrivateSocket(Path socket) throws IOException {
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socket.getParent());
    }

    /** Whether the first bytes are gRPC's; empty while too few have arrived to tell. */
    private Optional<Boolean> isGrpc(ByteBuf first) {
        if (tls) {
            return ClientHello.http2Only(first);
        }
        int n = Math.min(first.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (first.getByte(first.readerIndex() + i) != PREFACE[i]) {
                return Optional.of(false);
            }
        }
        return n < PREFACE.length ? Optional.empty() : Optional.of(true);
    }

    @Override
    public AsciiString scheme() {
        return grpc.scheme();
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler handler) {
        return new Sniffer(handler);
    }

    @Override
    public void close() {
        grpc.close();
    }

    /** Holds the connection's first bytes (and grpc's negotiation event) until the protocol is known. */
    private final class Sniffer extends ChannelInboundHandlerAdapter {
        private final GrpcHttp2ConnectionHandler handler;
        private ProtocolNegotiationEvent negotiation;
        /** What arrived before the decision, and while the relay connects. */
        private ByteBuf seen;
        private boolean decided;
        /** The client shut its sending side while the relay was connecting. */
        private boolean inputShut;
        private ScheduledFuture<?> deadline;

        Sniffer(GrpcHttp2ConnectionHandler handler) {
            this.handler = handler;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // an HTTP client may shut its sending side after the request (printf … | nc -N) and
            // still wait for the answer: the end of its input must not close the connection
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            deadline = ctx.executor().schedule(() -> {
                if (!decided) {
                    ctx.close();
                }
            }, firstBytes.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            deadline.cancel(false);
            if (seen != null) {
                seen.release();
                seen = null;
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ProtocolNegotiationEvent e && negotiation == null) {
                negotiation = e; // handed on to grpc's negotiation if this turns out to be gRPC
            } else if (event instanceof ChannelInputShutdownEvent) {
                if (decided) {
                    inputShut = true; // passed on once the relay is connected
                } else {
                    ctx.close(); // ended before saying anything
                }
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            seen = seen == null ? in : Unpooled.wrappedBuffer(seen, in);
            if (decided) {
                return; // the relay is still connecting
            }
            Optional<Boolean> isGrpc = isGrpc(seen);
            if (isGrpc.isEmpty()) {
                return; // too few bytes to tell yet
            }
            decided = true;
            deadline.cancel(false);
            if (isGrpc.get()) {
                grpc(ctx);
            } else {
                relay(ctx);
            }
        }

        /** Hands the connection to grpc-netty as if it had never been looked at. */
        private void grpc(ChannelHandlerContext ctx) {
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
            ctx.pipeline().addAfter(ctx.name(), null, grpc.newHandler(handler));
            if (negotiation != null) {
                ctx.fireUserEventTriggered(negotiation);
            }
            ByteBuf bytes = seen;
            seen = null;
            ctx.fireChannelRead(bytes);
            ctx.pipeline().remove(this);
        }

        /** Connects to the HTTP listener, then replaces gRPC's handlers with a relay both ways. */
        private void relay(ChannelHandlerContext ctx) {
            Channel client = ctx.channel();
            client.config().setAutoRead(false);
            boolean unix = http instanceof DomainSocketAddress;
            Bootstrap bootstrap = new Bootstrap().group(client.eventLoop())
                    .channel(unix ? EpollDomainSocketChannel.class
                            : client instanceof EpollSocketChannel ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new Relay(client, false));
            if (unix) {
                bootstrap.option(ChannelOption.SO_SNDBUF, UNIX_SEND_BUFFER);
            }
            bootstrap.connect(http).addListener((ChannelFuture connected) -> {
                if (!client.isActive()) {
                    connected.channel().close();
                } else if (!connected.isSuccess() && tls) {
                    ctx.close(); // a TLS client could not read a plaintext 503
                } else if (!connected.isSuccess()) {
                    // from here: grpc's write buffer behind this handler would hold it back
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(UNAVAILABLE)).addListener(ChannelFutureListener.CLOSE);
                } else {
                    Channel server = connected.channel();
                    ChannelPipeline pipeline = ctx.pipeline();
                    while (pipeline.last() != this) {
                        pipeline.removeLast(); // grpc's write buffer: it fails on reads it did not expect
                    }
                    ByteBuf bytes = seen;
                    seen = null;
                    pipeline.replace(this, "memsidecar-relay", new Relay(server, true));
                    server.writeAndFlush(bytes).addListener(Relay.CLOSE_ON_FAILURE);
                    if (inputShut) {
                        Relay.shutOutput(server);
                    }
                    client.config().setAutoRead(true);
                    server.config().setAutoRead(true);
                }
            });
        }
    }

    /**
     * Copies what one side reads to {@code peer}; a side stops reading while the peer's outbound
     * buffer is full; the end of one side's input shuts the peer's output after its pending writes
     * (half-close passes through), and when one side closes the other closes after them.
     */
    private static final class Relay extends ChannelDuplexHandler {
        /** A failed write closes its channel; the other side follows through channelInactive. */
        static final ChannelFutureListener CLOSE_ON_FAILURE = f -> {
            if (!f.isSuccess()) {
                f.channel().close();
            }
        };
        private final Channel peer;
        /**
         * The client's side: grpc-netty closes its transports when the server stops; a relayed
         * connection is instead left to Helidon's own graceful stop, which ends it once its
         * response is out (grpc's forced stop past the shutdown timeout still closes it at once).
         */
        private final boolean clientSide;

        Relay(Channel peer, boolean clientSide) {
            this.peer = peer;
            this.clientSide = clientSide;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg).addListener(CLOSE_ON_FAILURE);
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        static void shutOutput(Channel channel) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                var duplex = (DuplexChannel) channel;
                if (duplex.isInputShutdown()) {
                    channel.close(); // both directions are done
                } else if (channel.isActive()) {
                    duplex.shutdownOutput();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                shutOutput(peer);
                if (((DuplexChannel) ctx.channel()).isOutputShutdown()) {
                    ctx.close();
                }
            } else {
                ctx.fireUserEventTriggered(event);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset connection: the other side follows through channelInactive
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            if (clientSide && peer.isActive()) {
                ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            } else {
                ctx.close(promise);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf) {
                ctx.write(msg, promise);
            } else { // grpc-netty's forced close of its transport
                ReferenceCountUtil.release(msg);
                promise.trySuccess();
                peer.close();
                ctx.close();
            }
        }
    }
}
