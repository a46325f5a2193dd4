package io.memsidecar.server.transport;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the protocols a TLS client offers in ALPN (RFC 7301) from the ClientHello at the start of
 * a connection, without taking part in the handshake. Every gRPC client offers HTTP/2 alone
 * ({@code h2}, C-core also {@code grpc-exp}); curl, browsers and the JDK's HttpClient offer
 * {@code http/1.1} beside it. {@link SharedPort} tells them apart with this on a TLS port.
 */
final class ClientHello {
    /** A ClientHello longer than this is not waited for (real ones are a few KiB at most). */
    static final int MAX_LENGTH = 64 * 1024;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int ALPN = 16;

    private ClientHello() {
    }

    /** What can be told from the bytes so far. */
    sealed interface Read {
        /** The ClientHello is not complete yet. */
        record More() implements Read {
        }

        /** Not a TLS ClientHello (or one past {@link #MAX_LENGTH}). */
        record NotHello() implements Read {
        }

        /** A whole ClientHello and the ALPN protocols it offers (empty without the extension). */
        record Alpn(List<String> protocols) implements Read {
        }
    }

    /** Reads {@code bytes} from its reader index without moving it. */
    static Read read(ByteBuf bytes) {
        // the handshake message may be split over several records: join their payloads
        ByteBuf message = Unpooled.buffer();
        try {
            int at = bytes.readerIndex();
            while (true) {
                if (bytes.writerIndex() - at < 5) {
                    return new Read.More();
                }
                if (bytes.getUnsignedByte(at) != HANDSHAKE || bytes.getUnsignedByte(at + 1) != 3) {
                    return new Read.NotHello();
                }
                int length = bytes.getUnsignedShort(at + 3);
                if (bytes.writerIndex() - at - 5 < length) {
                    return new Read.More();
                }
                message.writeBytes(bytes, at + 5, length);
                at += 5 + length;
                if (message.readableBytes() >= 4) {
                    if (message.getUnsignedByte(0) != CLIENT_HELLO) {
                        return new Read.NotHello();
                    }
                    int body = message.getUnsignedMedium(1);
                    if (body > MAX_LENGTH) {
                        return new Read.NotHello();
                    }
                    if (message.readableBytes() >= 4 + body) {
                        return alpn(message.slice(4, body));
                    }
                }
            }
        } finally {
            message.release();
        }
    }

    /** The ALPN protocols of a ClientHello body (RFC 8446 §4.1.2). */
    private static Read alpn(ByteBuf hello) {
        try {
            hello.skipBytes(2 + 32); // legacy_version, random
            hello.skipBytes(hello.readUnsignedByte()); // legacy_session_id
            hello.skipBytes(hello.readUnsignedShort()); // cipher_suites
            hello.skipBytes(hello.readUnsignedByte()); // legacy_compression_methods
            if (!hello.isReadable()) {
                return new Read.Alpn(List.of()); // no extensions at all
            }
            ByteBuf extensions = hello.readSlice(hello.readUnsignedShort());
            while (extensions.isReadable()) {
                int type = extensions.readUnsignedShort();
                ByteBuf data = extensions.readSlice(extensions.readUnsignedShort());
                if (type == ALPN) {
                    ByteBuf list = data.readSlice(data.readUnsignedShort());
                    var protocols = new ArrayList<String>();
                    while (list.isReadable()) {
                        protocols.add(list.readSlice(list.readUnsignedByte()).toString(StandardCharsets.US_ASCII));
                    }
                    return new Read.Alpn(List.copyOf(protocols));
                }
            }
            return new Read.Alpn(List.of());
        } catch (IndexOutOfBoundsException e) {
            return new Read.NotHello(); // a length points past its end
        }
    }

    /** True when a whole ClientHello offers HTTP/2 and not HTTP/1.x; empty while more bytes are needed. */
    static Optional<Boolean> http2Only(ByteBuf bytes) {
        return switch (read(bytes)) {
            case Read.More more -> Optional.empty();
            case Read.NotHello notHello -> Optional.of(false);
            case Read.Alpn alpn -> Optional.of(alpn.protocols().contains("h2")
                    && alpn.protocols().stream().noneMatch(p -> p.startsWith("http/1")));
        };
    }
}
