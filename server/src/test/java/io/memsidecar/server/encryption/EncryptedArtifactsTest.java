package io.memsidecar.server.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Options;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.Providers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Artifact bodies sealed with the streaming AEAD over a real (memory) driver: what it stores, ranges, rotation, tampering. */
class EncryptedArtifactsTest {
    private static final Keyring.Key K1 = new Keyring.Key("k1", filled(1));
    private static final Keyring.Key K2 = new Keyring.Key("k2", filled(2));
    private final ArtifactStore raw = Providers.byName(BackendProvider.class, BackendProvider::driver).get("memory")
            .open(new BackendSpec("mem", new Options("options", Map.of()), Clock.systemUTC(), new SimpleMeterRegistry()))
            .store(ArtifactStore.class).orElseThrow();

    @Test
    void bodiesRoundTripWholeAndByRangeAcrossSegmentsAndStoreOnlyCiphertext() throws IOException {
        var store = new EncryptedArtifacts(raw, new Keyring(List.of(K1), false));
        for (int size : new int[] {0, 1, 65_519, 65_520, 65_536, 200_000}) {
            byte[] body = body(size);
            ArtifactMeta put = store.put("ns", upload("a" + size, body, Map.of("owner", "me")));
            assertThat(put.size()).isEqualTo(size);
            assertThat(put.sha256()).isEqualTo(sha256(body));
            assertThat(put.metadata()).containsExactly(Map.entry("owner", "me"));
            assertThat(store.stat("ns", "a" + size).orElseThrow()).isEqualTo(put);
            assertThat(read(store, "a" + size, 0, 0)).isEqualTo(body);

            byte[] stored = read(raw, "a" + size, 0, 0);
            assertThat(stored.length).isGreaterThan(size);
            assertThat(stored[0]).isEqualTo((byte) 2);
            if (size > 64) {
                assertThat(indexOf(stored, Arrays.copyOfRange(body, size / 2, size / 2 + 32))).isEqualTo(-1);
            }
            for (long[] range : new long[][] {{1, 10}, {65_000, 2_000}, {size / 3, 0}, {size, 0}, {0, size + 10L}}) {
                if (range[0] > size) {
                    continue;
                }
                int from = (int) range[0];
                int to = range[1] == 0 ? size : (int) Math.min(size, range[0] + range[1]);
                assertThat(read(store, "a" + size, range[0], range[1])).as("size %d range %d+%d", size, range[0], range[1])
                        .isEqualTo(Arrays.copyOfRange(body, from, to));
            }
        }
        var listed = new java.util.ArrayList<ArtifactMeta>();
        store.list("ns", Map.of(), "", 0, listed::add);
        assertThat(listed).allSatisfy(m -> assertThat(m.metadata()).containsOnlyKeys("owner"));
    }

    @Test
    void aBodyMovedToAnotherIdOrTruncatedIsDataLoss() throws IOException {
        var store = new EncryptedArtifacts(raw, new Keyring(List.of(K1), false));
        byte[] body = body(100_000);
        store.put("ns", upload("a", body, Map.of()));
        ArtifactMeta stored = raw.stat("ns", "a").orElseThrow();
        byte[] ciphertext = read(raw, "a", 0, 0);

        raw.put("ns", upload("b", ciphertext, stored.metadata())); // a's ciphertext under id b
        assertDataLoss(() -> read(store, "b", 0, 0));

        raw.put("ns", upload("c", Arrays.copyOf(ciphertext, ciphertext.length - 100), stored.metadata()));
        assertDataLoss(() -> read(store, "c", 0, 0));
        assertDataLoss(() -> read(store, "c", 70_000, 0));
    }

    @Test
    void rotationReadsOldBodiesAndARemovedKeyOrPlaintextFailsUnlessMigrating() throws IOException {
        byte[] old = body(70_000);
        new EncryptedArtifacts(raw, new Keyring(List.of(K1), false)).put("ns", upload("old", old, Map.of()));
        var rotated = new EncryptedArtifacts(raw, new Keyring(List.of(K2, K1), false));
        assertThat(read(rotated, "old", 0, 0)).isEqualTo(old);
        assertThat(read(rotated, "old", 66_000, 10)).isEqualTo(Arrays.copyOfRange(old, 66_000, 66_010));
        rotated.put("ns", upload("new", old, Map.of()));
        assertThat(read(new EncryptedArtifacts(raw, new Keyring(List.of(K2), false)), "new", 0, 0)).isEqualTo(old);
        assertDataLoss(() -> read(new EncryptedArtifacts(raw, new Keyring(List.of(K2), false)), "old", 0, 0));

        raw.put("ns", upload("plain", old, Map.of()));
        assertDataLoss(() -> read(rotated, "plain", 0, 0));
        assertThat(read(new EncryptedArtifacts(raw, new Keyring(List.of(K2), true)), "plain", 5, 5))
                .isEqualTo(Arrays.copyOfRange(old, 5, 10));
    }

    private static void assertDataLoss(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.DATA_LOSS));
    }

    private static byte[] read(ArtifactStore store, String id, long offset, long length) throws IOException {
        try (var r = store.open("ns", id, offset, length).orElseThrow()) {
            return r.body().readAllBytes();
        }
    }

    /** An upload as the service hands it to a store: size and SHA-256 measured while the body is read. */
    private static Upload upload(String id, byte[] body, Map<String, String> metadata) {
        return new Upload() {
            private final InputStream in = new ByteArrayInputStream(body);

            @Override
            public String id() {
                return id;
            }

            @Override
            public String contentType() {
                return "application/octet-stream";
            }

            @Override
            public Map<String, String> metadata() {
                return metadata;
            }

            @Override
            public InputStream body() {
                return in;
            }

            @Override
            public Integrity seal() {
                return new Integrity(body.length, sha256(body));
            }
        };
    }

    private static byte[] body(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] filled(int v) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) v);
        return b;
    }
}
