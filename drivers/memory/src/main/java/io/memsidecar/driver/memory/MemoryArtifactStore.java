package io.memsidecar.driver.memory;

import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/** Artifacts in process memory; a Put is published by one map write after its seal. */
final class MemoryArtifactStore implements ArtifactStore {
    private record Stored(ArtifactMeta meta, byte[] bytes) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<String, ConcurrentSkipListMap<String, Stored>> spaces = new ConcurrentHashMap<>();

    MemoryArtifactStore(Clock clock) {
        this.clock = clock;
    }

    private ConcurrentSkipListMap<String, Stored> space(String namespace) {
        return spaces.computeIfAbsent(namespace, n -> new ConcurrentSkipListMap<>());
    }

    @Override
    public ArtifactMeta put(String namespace, Upload upload) {
        byte[] bytes;
        try {
            bytes = upload.body().readAllBytes();
        } catch (IOException e) {
            throw ApiException.internal("artifact.put: read failed", e);
        }
        Upload.Integrity integrity = upload.seal();
        var meta = new ArtifactMeta(upload.id(), integrity.size(), upload.contentType(), integrity.sha256(),
                upload.metadata(), clock.instant());
        space(namespace).put(upload.id(), new Stored(meta, bytes));
        return meta;
    }

    @Override
    public Optional<ArtifactMeta> stat(String namespace, String id) {
        return Optional.ofNullable(space(namespace).get(id)).map(Stored::meta);
    }

    @Override
    public Optional<ArtifactRead> open(String namespace, String id, long offset, long length) {
        return Optional.ofNullable(space(namespace).get(id)).map(s -> {
            int from = (int) Math.min(offset, s.bytes().length);
            int count = (int) (length == 0 ? s.bytes().length - from : Math.min(length, s.bytes().length - from));
            return new ArtifactRead(s.meta(), new ByteArrayInputStream(s.bytes(), from, count));
        });
    }

    @Override
    public boolean delete(String namespace, String id) {
        return space(namespace).remove(id) != null;
    }

    @Override
    public void list(String namespace, Map<String, String> filter, String startAfter, long limit,
                     Consumer<ArtifactMeta> sink) {
        var view = startAfter.isEmpty() ? space(namespace) : space(namespace).tailMap(startAfter, false);
        long sent = 0;
        for (Stored s : view.values()) {
            if (limit > 0 && sent >= limit) {
                return;
            }
            if (s.meta().metadata().entrySet().containsAll(filter.entrySet())) {
                sink.accept(s.meta());
                sent++;
            }
        }
    }
}
