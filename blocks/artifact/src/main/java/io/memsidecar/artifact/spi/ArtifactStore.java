package io.memsidecar.artifact.spi;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The artifact driver SPI: blobs streamed in and out with bounded memory. Ids are validated by
 * the service (no path separators, no "." or ".."). A failed or interrupted Put never leaves a
 * partial artifact visible and never damages the previous version of the same id.
 */
public interface ArtifactStore {
    /** Stores the upload (see {@link Upload} for the write-then-seal-then-publish order). */
    ArtifactMeta put(String namespace, Upload upload);

    Optional<ArtifactMeta> stat(String namespace, String id);

    /** Opens {@code length} bytes from {@code offset} (length 0 = to the end); empty when missing. */
    Optional<ArtifactRead> open(String namespace, String id, long offset, long length);

    boolean delete(String namespace, String id);

    /** Metadata in ascending id order after {@code startAfter}, exact-match {@code filter}, at most {@code limit} (0 = all). */
    void list(String namespace, Map<String, String> filter, String startAfter, long limit, Consumer<ArtifactMeta> sink);
}
