package io.memsidecar.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** {@link ClientHello} on ClientHellos the JDK's TLS writes, whole, cut short and split over records. */
class ClientHelloTest {
    /** The first flight of a TLS client offering {@code alpn} (none: no ALPN extension). */
    private static byte[] hello(String... alpn) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        if (alpn.length > 0) {
            var params = engine.getSSLParameters();
            params.setApplicationProtocols(alpn);
            engine.setSSLParameters(params);
        }
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    private static ClientHello.Read read(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        ClientHello.Read r = ClientHello.read(buf);
        assertThat(buf.readerIndex()).as("nothing consumed").isZero();
        return r;
    }

    @Test
    void readsTheOfferedProtocols() throws Exception {
        assertThat(read(hello("h2"))).isEqualTo(new ClientHello.Read.Alpn(List.of("h2")));
        assertThat(read(hello("grpc-exp", "h2"))).isEqualTo(new ClientHello.Read.Alpn(List.of("grpc-exp", "h2")));
        assertThat(read(hello("h2", "http/1.1"))).isEqualTo(new ClientHello.Read.Alpn(List.of("h2", "http/1.1")));
        assertThat(read(hello())).isEqualTo(new ClientHello.Read.Alpn(List.of()));
    }

    @Test
    void onlyAnOfferOfHttp2WithoutHttp1IsGrpc() throws Exception {
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(hello("h2")))).contains(true);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(hello("grpc-exp", "h2")))).contains(true);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(hello("h2", "http/1.1")))).contains(false);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(hello("http/1.1")))).contains(false);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(hello()))).contains(false);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII))))
                .contains(false);
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII))))
                .contains(false);
    }

    @Test
    void waitsForTheWholeHello() throws Exception {
        byte[] whole = hello("h2");
        for (int n = 0; n < whole.length; n++) {
            assertThat(read(Arrays.copyOf(whole, n))).as("first %d of %d bytes", n, whole.length)
                    .isEqualTo(new ClientHello.Read.More());
        }
        assertThat(ClientHello.http2Only(Unpooled.wrappedBuffer(whole))).isEqualTo(Optional.of(true));
    }

    @Test
    void joinsAHelloSplitOverRecords() throws Exception {
        byte[] whole = hello("h2");
        int payload = ((whole[3] & 0xff) << 8) | (whole[4] & 0xff);
        assertThat(whole.length).isEqualTo(5 + payload);
        int first = 7; // the handshake header and a little: the rest follows in a second record
        byte[] split = new byte[whole.length + 5];
        System.arraycopy(whole, 0, split, 0, 5 + first);
        split[3] = 0;
        split[4] = (byte) first;
        System.arraycopy(whole, 0, split, 5 + first, 3);
        split[5 + first + 3] = (byte) ((payload - first) >> 8);
        split[5 + first + 4] = (byte) (payload - first);
        System.arraycopy(whole, 5 + first, split, 10 + first, payload - first);
        assertThat(read(Arrays.copyOf(split, 5 + first + 5))).isEqualTo(new ClientHello.Read.More());
        assertThat(read(split)).isEqualTo(new ClientHello.Read.Alpn(List.of("h2")));
    }

    @Test
    void refusesWhatIsNotAHello() throws Exception {
        byte[] alert = {21, 3, 3, 0, 2, 2, 40};
        assertThat(read(alert)).isEqualTo(new ClientHello.Read.NotHello());
        byte[] serverHello = hello("h2");
        serverHello[5] = 2;
        assertThat(read(serverHello)).isEqualTo(new ClientHello.Read.NotHello());
        byte[] huge = {22, 3, 1, 0, 4, 1, 1, 0, 1}; // a ClientHello of 64 KiB + 1
        assertThat(read(huge)).isEqualTo(new ClientHello.Read.NotHello());
        byte[] truncated = hello("h2");
        int length = ((truncated[6] & 0xff) << 16 | (truncated[7] & 0xff) << 8 | truncated[8] & 0xff) - 60;
        truncated[6] = (byte) (length >> 16); // the hello says it is shorter than its extensions
        truncated[7] = (byte) (length >> 8);
        truncated[8] = (byte) length;
        assertThat(read(truncated)).isEqualTo(new ClientHello.Read.NotHello());
    }
}
