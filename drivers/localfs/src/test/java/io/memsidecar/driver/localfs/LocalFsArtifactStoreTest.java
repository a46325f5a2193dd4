package io.memsidecar.driver.localfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.artifact.ArtifactStoreConformance;
import io.memsidecar.artifact.spi.ArtifactStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFsArtifactStoreTest extends ArtifactStoreConformance {
    @TempDir
    Path root; // the store's parent belongs to the test: an escape would land here, nothing else does
    private Path base;
    private LocalFsArtifactStore store;

    @BeforeEach
    void open() throws IOException {
        base = Files.createDirectory(root.resolve("store"));
        store = new LocalFsArtifactStore(base, Clock.systemUTC());
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    private long files(String suffixOrPrefix) throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            return all.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(suffixOrPrefix) || n.startsWith(suffixOrPrefix)).count();
        }
    }

    @Test
    void noTemporaryOrOldDataFilesStayBehind() throws Exception {
        store.put(ns, upload("a", new byte[100], Map.of(), false));
        store.put(ns, upload("a", new byte[200], Map.of(), false));
        assertThatThrownBy(() -> store.put(ns, upload("a", new byte[300], Map.of(), true)));
        store.awaitRemovals(); // the replaced version goes after the Put returned
        assertThat(files(".data")).isEqualTo(1);
        assertThat(files(".put-")).isZero();
    }

    @Test
    void leftoversOfACrashedPutAreRemovedAtOpenAndNeverVisible() throws IOException {
        store.put(ns, upload("a", new byte[100], Map.of(), false));
        Path shard;
        try (Stream<Path> all = Files.walk(base)) {
            shard = all.filter(p -> p.getFileName().toString().equals("a.json")).findFirst().orElseThrow().getParent();
        }
        Files.write(shard.resolve(".put-crashed"), new byte[50]);
        Files.write(shard.resolve(".put-crashed.json"), "{".getBytes());
        Files.write(shard.resolve("a.0a1b-unpublished.data"), new byte[60]); // renamed, never published
        Files.write(shard.resolve("b.0a1b-replaced.data"), new byte[70]); // its id is gone
        Files.write(shard.resolve("c.json"), "{".getBytes()); // unreadable metadata: its data is left alone
        Files.write(shard.resolve("c.0a1b.data"), new byte[80]);
        var reopened = new LocalFsArtifactStore(base, Clock.systemUTC());
        assertThat(files(".put-")).isZero();
        assertThat(files(".data")).isEqualTo(2); // a's published version and c's
        assertThat(Files.exists(shard.resolve("c.0a1b.data"))).isTrue();
        assertThat(reopened.stat(ns, "a").orElseThrow().size()).isEqualTo(100);
    }

    @Test
    void namespacesCannotEscapeTheBaseDirectory() throws IOException {
        store.put("..", upload("x", new byte[1], Map.of(), false));
        store.put("a/../../b", upload("y", new byte[1], Map.of(), false));
        try (Stream<Path> all = Files.walk(root, 1)) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("x", "b");
        }
        assertThat(store.stat("..", "x")).isPresent();
    }
}
