package io.memsidecar.driver.localfs;

import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.StoreBackend;
import io.memsidecar.core.spi.StoreSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** {@code driver: fs} with option {@code base_dir} (created 0750): artifacts on a local disk. */
public final class LocalFsBackendProvider implements BackendProvider {
    static final String DRIVER = "fs";

    @Override
    public String driver() {
        return DRIVER;
    }

    @Override
    public Backend open(BackendSpec spec) {
        String dir = spec.options().string("base_dir").orElseThrow(() -> spec.options().invalid("base_dir", "is required"));
        Path base = Path.of(dir);
        try {
            Files.createDirectories(base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        } catch (IOException e) {
            throw spec.options().invalid("base_dir", "cannot create " + base + ": " + e.getMessage());
        }
        var stores = new StoreSet(Map.of(ArtifactStore.class, new LocalFsArtifactStore(base, spec.clock())));
        return new StoreBackend(spec.name(), DRIVER, stores, () -> {
            if (!Files.isWritable(base)) {
                throw new IllegalStateException("backend " + spec.name() + ": " + base + " is not writable");
            }
        }, () -> { });
    }
}
