package io.memsidecar.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The artifact contract every driver passes (spec §2.5, §6.4): streaming, atomic publish, ranges. */
public abstract class ArtifactStoreConformance {
    protected final String ns = "conf-" + UUID.randomUUID().toString().substring(0, 8);

    protected abstract ArtifactStore store();

    /** An upload hashed as the driver reads it, like the service's; {@code rejectAtSeal} models a broken promise. */
    protected static Upload upload(String id, byte[] bytes, Map<String, String> metadata, boolean rejectAtSeal) {
        MessageDigest digest = ArtifactService.sha256();
        var counted = new long[1];
        InputStream body = new DigestInputStream(new ByteArrayInputStream(bytes), digest) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                counted[0] += Math.max(n, 0);
                return n;
            }
        };
        return new Upload() {
            public String id() {
                return id;
            }

            public String contentType() {
                return "application/octet-stream";
            }

            public Map<String, String> metadata() {
                return metadata;
            }

            public InputStream body() {
                return body;
            }

            public Integrity seal() {
                try {
                    body.transferTo(OutputStreamSink.INSTANCE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (rejectAtSeal) {
                    throw ApiException.invalidArgument("sha256 mismatch; nothing stored");
                }
                return new Integrity(counted[0], HexFormat.of().formatHex(digest.digest()));
            }
        };
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    private static byte[] random(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private byte[] read(String id, long offset, long length) throws IOException {
        try (ArtifactRead r = store().open(ns, id, offset, length).orElseThrow()) {
            return r.body().readAllBytes();
        }
    }

    protected static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(ArtifactService.sha256().digest(bytes));
    }

    @Test
    void putStatOpenDeleteRoundTripWithSizeAndChecksum() throws Exception {
        byte[] bytes = random(300_000);
        ArtifactMeta meta = store().put(ns, upload("report.md", bytes, Map.of("kind", "report"), false));
        assertThat(meta.size()).isEqualTo(bytes.length);
        assertThat(meta.sha256()).isEqualTo(sha256(bytes));
        assertThat(store().stat(ns, "report.md")).hasValueSatisfying(m -> {
            assertThat(m.size()).isEqualTo(bytes.length);
            assertThat(m.sha256()).isEqualTo(sha256(bytes));
            assertThat(m.metadata()).containsEntry("kind", "report");
            assertThat(m.contentType()).isEqualTo("application/octet-stream");
        });
        assertThat(read("report.md", 0, 0)).isEqualTo(bytes);
        assertThat(store().delete(ns, "report.md")).isTrue();
        assertThat(store().stat(ns, "report.md")).isEmpty();
        assertThat(store().open(ns, "report.md", 0, 0)).isEmpty();
        assertThat(store().delete(ns, "report.md")).isFalse();
    }

    @Test
    void rangedReadsReturnTheRequestedBytes() throws Exception {
        byte[] bytes = "0123456789".getBytes(StandardCharsets.US_ASCII);
        store().put(ns, upload("digits", bytes, Map.of(), false));
        assertThat(new String(read("digits", 3, 4), StandardCharsets.US_ASCII)).isEqualTo("3456");
        assertThat(new String(read("digits", 7, 0), StandardCharsets.US_ASCII)).isEqualTo("789");
        assertThat(new String(read("digits", 8, 100), StandardCharsets.US_ASCII)).isEqualTo("89");
        assertThat(read("digits", 10, 0)).isEmpty();
    }

    @Test
    void aRejectedUploadLeavesNothingAndKeepsThePreviousVersion() throws Exception {
        assertThatThrownBy(() -> store().put(ns, upload("a", random(1000), Map.of(), true))).isInstanceOf(ApiException.class);
        assertThat(store().stat(ns, "a")).isEmpty();

        byte[] v1 = random(2000);
        store().put(ns, upload("a", v1, Map.of("v", "1"), false));
        assertThatThrownBy(() -> store().put(ns, upload("a", random(5000), Map.of("v", "2"), true)))
                .isInstanceOf(ApiException.class);
        assertThat(store().stat(ns, "a")).hasValueSatisfying(m -> assertThat(m.metadata()).containsEntry("v", "1"));
        assertThat(read("a", 0, 0)).isEqualTo(v1);
    }

    @Test
    void overwriteReplacesTheWholeArtifact() throws Exception {
        store().put(ns, upload("a", random(5000), Map.of(), false));
        byte[] v2 = random(10);
        store().put(ns, upload("a", v2, Map.of(), false));
        assertThat(read("a", 0, 0)).isEqualTo(v2);
        assertThat(store().stat(ns, "a").orElseThrow().size()).isEqualTo(10);
    }

    @Test
    void emptyArtifactsAreArtifacts() throws Exception {
        store().put(ns, upload("empty", new byte[0], Map.of(), false));
        assertThat(store().stat(ns, "empty").orElseThrow().size()).isZero();
        assertThat(read("empty", 0, 0)).isEmpty();
    }

    @Test
    void listIsOrderedFilteredAndPaged() {
        for (String id : List.of("c", "a", "b", "d")) {
            store().put(ns, upload(id, new byte[] {1}, Map.of("even", String.valueOf("bd".contains(id))), false));
        }
        var ids = new ArrayList<String>();
        store().list(ns, Map.of(), "", 0, m -> ids.add(m.id()));
        assertThat(ids).containsExactly("a", "b", "c", "d");
        ids.clear();
        store().list(ns, Map.of(), "a", 2, m -> ids.add(m.id()));
        assertThat(ids).containsExactly("b", "c");
        ids.clear();
        store().list(ns, Map.of("even", "true"), "", 0, m -> ids.add(m.id()));
        assertThat(ids).containsExactly("b", "d");
        ids.clear();
        store().list(ns + "-other", Map.of(), "", 0, m -> ids.add(m.id()));
        assertThat(ids).isEmpty();
    }
}
