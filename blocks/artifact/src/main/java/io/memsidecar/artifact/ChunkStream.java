package io.memsidecar.artifact;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.core.Source;
import io.memsidecar.proto.artifact.v1.PutRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * A Put's chunks after the init as one stream for the driver, counted as they arrive; a chunk
 * that would pass {@code maxSize} fails the read, so the driver publishes nothing. Each chunk is
 * also handed to a hashing thread (SHA-256 and CRC-32C), so hashing runs beside the driver's
 * writes instead of between them; at most {@value #IN_FLIGHT} chunks wait for it, which holds the
 * driver back when hashing is the slower side. {@link #seal()} reads what the driver left, waits
 * for the hashes and returns size and SHA-256; {@link #abandon()} stops the hashing thread when the
 * upload ends without a seal.
 */
final class ChunkStream extends InputStream {
    private static final int IN_FLIGHT = 4;
    private static final ByteString END = ByteString.copyFromUtf8("end");

    /** What the hashing thread computed over every chunk. */
    record Sums(String sha256, String crc32c) {
    }

    private final Source<PutRequest> source;
    private final long maxSize;
    private final Supplier<ApiException> overMax;
    private final BlockingQueue<ByteString> toHash = new ArrayBlockingQueue<>(IN_FLIGHT);
    final Thread hasher; // package-private for its test
    private volatile Sums sums;
    private long received;
    private ByteString current = ByteString.EMPTY;
    private int position;
    private boolean ended;

    ChunkStream(Source<PutRequest> source, long maxSize, Supplier<ApiException> overMax) {
        this.source = source;
        this.maxSize = maxSize;
        this.overMax = overMax;
        this.hasher = Thread.ofVirtual().name("memsidecar-artifact-hash").start(this::hash);
    }

    private void hash() {
        MessageDigest sha = ArtifactService.sha256();
        var crc = new CRC32C();
        ByteOutput both = arrays((value, offset, length) -> {
            sha.update(value, offset, length);
            crc.update(value, offset, length);
        });
        try {
            for (ByteString chunk = toHash.take(); chunk != END; chunk = toHash.take()) {
                UnsafeByteOperations.unsafeWriteTo(chunk, both); // the chunk's own bytes, not a copy
            }
            sums = new Sums(HexFormat.of().formatHex(sha.digest()), ArtifactService.crc32c(crc));
        } catch (InterruptedException | IOException e) {
            // abandoned before the end: the upload failed or was cancelled, nothing is published
        }
    }

    private void handToHasher(ByteString chunk) {
        try {
            toHash.put(chunk);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Code.CANCELLED, "call cancelled by the client");
        }
    }

    private boolean fill() {
        while (position >= current.size()) {
            if (ended) {
                return false;
            }
            Optional<PutRequest> next = source.next();
            if (next.isEmpty()) {
                ended = true;
                return false;
            }
            if (!next.get().hasChunk()) {
                throw ApiException.invalidArgument("every Put message after the init must be a chunk");
            }
            current = next.get().getChunk().getData();
            position = 0;
            received += current.size();
            if (maxSize > 0 && received > maxSize) {
                throw overMax.get();
            }
            if (!current.isEmpty()) {
                handToHasher(current);
            }
        }
        return true;
    }

    @Override
    public int read() {
        return fill() ? current.byteAt(position++) & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, current.size() - position);
        current.copyTo(b, position, off, n);
        position += n;
        return n;
    }

    /** Each chunk to {@code out} in one write of the message's own bytes, not copied 16 KiB at a time. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        ByteOutput sink = arrays(out::write);
        long n = 0;
        while (fill()) {
            ByteString rest = current.substring(position);
            UnsafeByteOperations.unsafeWriteTo(rest, sink);
            position = current.size();
            n += rest.size();
        }
        return n;
    }

    /** Where a chunk's bytes go: the array region itself, never a copy of it. */
    private interface ArrayWriter {
        void write(byte[] value, int offset, int length) throws IOException;
    }

    /** A {@link ByteOutput} that hands every write to {@code writer} as an array region. */
    private static ByteOutput arrays(ArrayWriter writer) {
        return new ByteOutput() {
            @Override
            public void write(byte value) throws IOException {
                writer.write(new byte[] {value}, 0, 1);
            }

            @Override
            public void write(byte[] value, int offset, int length) throws IOException {
                writer.write(value, offset, length);
            }

            @Override
            public void writeLazy(byte[] value, int offset, int length) throws IOException {
                writer.write(value, offset, length);
            }

            @Override
            public void write(ByteBuffer value) throws IOException {
                byte[] copy = new byte[value.remaining()];
                value.get(copy);
                writer.write(copy, 0, copy.length);
            }

            @Override
            public void writeLazy(ByteBuffer value) throws IOException {
                write(value);
            }
        };
    }

    /** Reads what the driver left unread and waits for the hashes: the size and SHA-256 of the whole upload. */
    Upload.Integrity seal() {
        while (fill()) {
            position = current.size(); // counted and hashed by fill
        }
        handToHasher(END);
        try {
            hasher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Code.CANCELLED, "call cancelled by the client");
        }
        if (sums == null) {
            throw ApiException.internal("artifact.put: hashing failed", null);
        }
        return new Upload.Integrity(received, sums.sha256());
    }

    /** The hashes, once {@link #seal()} has returned. */
    Sums sums() {
        if (sums == null) {
            throw new IllegalStateException("an artifact driver must read metadata after seal()");
        }
        return sums;
    }

    /**
     * Stops the hashing thread if the upload ended before {@link #seal()} (a failure or a cancel);
     * a no-op after it. Not {@link #close()}: a driver may close the body before it seals.
     */
    void abandon() {
        hasher.interrupt();
    }
}
