package io.memsidecar.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Source;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Put body: counted, capped, and hashed on its own thread however the driver reads it. */
class ChunkStreamTest {
    private static final List<Integer> SIZES = List.of(65_536, 1, 0, 300_000, 65_535, 17);

    private static List<byte[]> chunks() {
        var random = new Random(7);
        return SIZES.stream().map(n -> {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }).toList();
    }

    private static Source<PutRequest> source(List<byte[]> chunks) {
        Iterator<byte[]> it = new ArrayDeque<>(chunks).iterator();
        return () -> it.hasNext() ? Optional.of(PutRequest.newBuilder()
                .setChunk(PutChunk.newBuilder().setData(ByteString.copyFrom(it.next()))).build()) : Optional.empty();
    }

    private static ChunkStream stream(List<byte[]> chunks, long maxSize) {
        return new ChunkStream(source(chunks), maxSize, () -> ApiException.tooLarge("too large"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"transferTo", "read-array", "read-byte", "nothing"})
    void sealGivesSizeSha256AndCrc32cOfEveryByteHoweverTheDriverReads(String how) throws Exception {
        List<byte[]> chunks = chunks();
        var all = new ByteArrayOutputStream();
        chunks.forEach(all::writeBytes);
        ChunkStream body = stream(chunks, 0);
        var read = new ByteArrayOutputStream();
        switch (how) {
            case "transferTo" -> body.transferTo(read);
            case "read-array" -> readInSmallArrays(body, read);
            case "read-byte" -> {
                for (int b; (b = body.read()) >= 0; ) {
                    read.write(b);
                }
            }
            default -> { } // seal reads what the driver left
        }
        var integrity = body.seal();

        if (!how.equals("nothing")) {
            assertThat(read.toByteArray()).isEqualTo(all.toByteArray());
        }
        assertThat(integrity.size()).isEqualTo(all.size());
        assertThat(integrity.sha256())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(all.toByteArray())));
        var crc = new CRC32C();
        crc.update(all.toByteArray());
        assertThat(body.sums().crc32c()).isEqualTo("%08x".formatted(crc.getValue()));
        body.hasher.join(Duration.ofSeconds(5));
        assertThat(body.hasher.isAlive()).isFalse();
    }

    private static void readInSmallArrays(InputStream in, ByteArrayOutputStream out) throws IOException {
        byte[] buffer = new byte[5_000];
        for (int n; (n = in.read(buffer, 0, buffer.length)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    @Test
    void anUploadThatEndsWithoutASealStopsItsHashingThread() throws Exception {
        ChunkStream body = stream(chunks(), 0);
        assertThat(body.read(new byte[10], 0, 10)).isEqualTo(10);
        body.abandon();
        body.hasher.join(Duration.ofSeconds(5));
        assertThat(body.hasher.isAlive()).isFalse();
        assertThatThrownBy(body::sums).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aChunkPastMaxSizeFailsTheRead() throws Exception {
        ChunkStream body = stream(chunks(), 100_000);
        assertThatThrownBy(() -> body.transferTo(new ByteArrayOutputStream()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED));
        body.abandon();
        body.hasher.join(Duration.ofSeconds(5));
        assertThat(body.hasher.isAlive()).isFalse();
    }
}
