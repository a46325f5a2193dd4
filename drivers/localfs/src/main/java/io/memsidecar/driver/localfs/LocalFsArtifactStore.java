package io.memsidecar.driver.localfs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Artifacts as files: {@code <base>/ns-<namespace>/<first two id chars>/}, one
 * {@code <id>.json} (the metadata, which names the current data file) and data files
 * {@code <id>.<version>.data}. A Put writes and fsyncs a temporary file (flushed to disk as it
 * grows: {@link WritebackOutputStream}), has the service seal it,
 * renames it to a new version, then publishes by atomically replacing {@code <id>.json}; the
 * previous version's data file is removed only after that, on its own thread (unlinking a large
 * file took 20–50 ms here that the Put's caller need not wait for). A crash at any point leaves
 * either the old artifact or the new one visible, never a partial one; temporary files of
 * interrupted Puts and data files no metadata names are removed when the backend opens.
 */
final class LocalFsArtifactStore implements ArtifactStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEMP = ".put-";

    private final Path base;
    private final Clock clock;
    /** Removals of replaced versions still running. */
    private final Set<Thread> removals = ConcurrentHashMap.newKeySet();

    LocalFsArtifactStore(Path base, Clock clock) {
        this.base = base;
        this.clock = clock;
        removeLeftovers();
    }

    /** What {@code <id>.json} holds. */
    record Stored(String id, long size, String contentType, String sha256, Map<String, String> metadata,
                  String createdAt, String data) {
        ArtifactMeta meta() {
            return new ArtifactMeta(id, size, contentType, sha256, metadata, Instant.parse(createdAt));
        }
    }

    private Path namespaceDir(String namespace) {
        // Encoded, and prefixed so that no namespace can name "." or "..".
        return base.resolve("ns-" + URLEncoder.encode(namespace, StandardCharsets.UTF_8));
    }

    private Path shard(String namespace, String id) {
        return namespaceDir(namespace).resolve(id.length() >= 2 ? id.substring(0, 2) : id);
    }

    @Override
    public ArtifactMeta put(String namespace, Upload upload) {
        Path dir = shard(namespace, upload.id());
        Path temp = null;
        Path metaTemp = null;
        Path data = null; // written but not yet published: removed if the publish fails
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
            temp = dir.resolve(TEMP + UUID.randomUUID());
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                try (OutputStream out = new WritebackOutputStream(ch)) {
                    upload.body().transferTo(out);
                }
                ch.force(true);
            }
            Upload.Integrity integrity = upload.seal(); // throws when the upload does not match its promise
            String dataName = upload.id() + "." + UUID.randomUUID() + ".data";
            data = dir.resolve(dataName);
            move(temp, data);
            temp = null;
            var stored = new Stored(upload.id(), integrity.size(), upload.contentType(), integrity.sha256(),
                    upload.metadata(), clock.instant().toString(), dataName);
            Optional<Stored> previous = read(dir.resolve(upload.id() + ".json"));
            metaTemp = dir.resolve(TEMP + UUID.randomUUID() + ".json");
            try (FileChannel ch = FileChannel.open(metaTemp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(stored)));
                ch.force(true);
            }
            move(metaTemp, dir.resolve(upload.id() + ".json")); // the publish
            metaTemp = null;
            data = null;
            syncDirectory(dir);
            previous.filter(p -> !p.data().equals(dataName)).ifPresent(p -> remove(dir.resolve(p.data())));
            return stored.meta();
        } catch (IOException e) {
            throw ApiException.disk("artifact.put", e);
        } finally {
            for (Path leftover : new Path[] {temp, metaTemp, data}) {
                if (leftover != null) {
                    deleteQuietly(leftover);
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the filesystem under " + to.getParent() + " cannot rename atomically", e);
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not every filesystem lets a directory be fsynced; the renames are atomic regardless
        }
    }

    private static Optional<Stored> read(Path meta) {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(meta), Stored.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable artifact metadata " + meta.getFileName(), e);
        }
    }

    @Override
    public Optional<ArtifactMeta> stat(String namespace, String id) {
        return read(shard(namespace, id).resolve(id + ".json")).map(Stored::meta);
    }

    @Override
    public Optional<ArtifactRead> open(String namespace, String id, long offset, long length) {
        Path dir = shard(namespace, id);
        Optional<Stored> stored = read(dir.resolve(id + ".json"));
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        try {
            FileChannel ch = FileChannel.open(dir.resolve(stored.get().data()), StandardOpenOption.READ);
            ch.position(offset);
            long count = length == 0 ? Long.MAX_VALUE : length;
            return Optional.of(new ArtifactRead(stored.get().meta(), limited(Channels.newInputStream(ch), count)));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // replaced or deleted between the two reads
        } catch (IOException e) {
            throw ApiException.internal("artifact.get: open failed", e);
        }
    }

    private static InputStream limited(InputStream in, long max) {
        return new FilterInputStream(in) {
            private long left = max;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    @Override
    public boolean delete(String namespace, String id) {
        Path dir = shard(namespace, id);
        Optional<Stored> stored = read(dir.resolve(id + ".json"));
        if (stored.isEmpty()) {
            return false;
        }
        try {
            boolean existed = Files.deleteIfExists(dir.resolve(id + ".json"));
            deleteQuietly(dir.resolve(stored.get().data()));
            return existed;
        } catch (IOException e) {
            throw ApiException.disk("artifact.delete", e);
        }
    }

    @Override
    public void list(String namespace, Map<String, String> filter, String startAfter, long limit,
                     Consumer<ArtifactMeta> sink) {
        Path ns = namespaceDir(namespace);
        if (!Files.isDirectory(ns)) {
            return;
        }
        List<ArtifactMeta> all = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ns, 2)) {
            files.filter(p -> p.getFileName().toString().endsWith(".json") && !p.getFileName().toString().startsWith(TEMP))
                    .forEach(p -> read(p).map(Stored::meta).ifPresent(all::add));
        } catch (IOException e) {
            throw ApiException.internal("artifact.list: failed", e);
        }
        all.sort(Comparator.comparing(ArtifactMeta::id));
        long sent = 0;
        for (ArtifactMeta m : all) {
            if (limit > 0 && sent >= limit) {
                return;
            }
            if (m.id().compareTo(startAfter) > 0 && m.metadata().entrySet().containsAll(filter.entrySet())) {
                sink.accept(m);
                sent++;
            }
        }
    }

    /** Removes a replaced version's data file after the Put returns. */
    private void remove(Path data) {
        Thread removal = Thread.ofVirtual().name("memsidecar-fs-remove").unstarted(() -> {
            try {
                deleteQuietly(data);
            } finally {
                removals.remove(Thread.currentThread());
            }
        });
        removals.add(removal);
        removal.start();
    }

    /** Waits until the replaced versions removed so far are gone (for tests). */
    void awaitRemovals() throws InterruptedException {
        for (Thread removal : List.copyOf(removals)) {
            removal.join();
        }
    }

    /**
     * Temporary files of interrupted Puts, and data files that no {@code <id>.json} names: the new
     * version of a Put interrupted before it was published, or a replaced one whose removal did
     * not run. Either leaves an id with no metadata or with more than one data file, so only those
     * ids' metadata is read: an id with its metadata and one data file costs start-up nothing but
     * its listing. One sidecar owns a base_dir.
     */
    private void removeLeftovers() {
        if (!Files.isDirectory(base)) {
            return;
        }
        var dataFiles = new HashMap<Path, List<Path>>(); // <shard>/<id>.json → the id's data files
        var metadata = new HashSet<Path>();
        try (Stream<Path> files = Files.walk(base, 3)) {
            files.forEach(p -> {
                String name = p.getFileName().toString();
                if (name.startsWith(TEMP)) {
                    deleteQuietly(p);
                } else if (name.endsWith(".json")) {
                    metadata.add(p);
                } else if (name.endsWith(".data")) {
                    int dot = name.lastIndexOf('.', name.length() - ".data".length() - 1); // <id>.<version>.data
                    if (dot > 0) {
                        dataFiles.computeIfAbsent(p.resolveSibling(name.substring(0, dot) + ".json"), k -> new ArrayList<>())
                                .add(p);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + base, e);
        }
        dataFiles.forEach((json, data) -> {
            if (data.size() == 1 && metadata.contains(json)) {
                return;
            }
            try {
                Optional<String> current = read(json).map(Stored::data);
                data.stream().filter(d -> !current.equals(Optional.of(d.getFileName().toString())))
                        .forEach(LocalFsArtifactStore::deleteQuietly);
            } catch (UncheckedIOException unreadable) {
                // not ours to judge: left alone
            }
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover, removed at the next start
        }
    }
}
