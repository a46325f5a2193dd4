package io.memsidecar.driver.localfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritebackOutputStreamTest {
    @TempDir
    Path dir;

    @Test
    void theBytesArriveWholeAndTheFileIsFlushedWhileItGrows() throws IOException {
        byte[] data = new byte[(int) (3 * WritebackOutputStream.EVERY + 5)];
        new Random(1).nextBytes(data);
        Path file = dir.resolve("f");
        try (var channel = new CountingForces(FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            try (var out = new WritebackOutputStream(channel)) {
                for (int off = 0; off < data.length; off += 64 * 1024) {
                    out.write(data, off, Math.min(64 * 1024, data.length - off));
                }
                out.write(7);
            }
            assertThat(channel.forces.get()).as("early flushes before the caller's final fsync").isBetween(1, 3);
        }
        byte[] expected = java.util.Arrays.copyOf(data, data.length + 1);
        expected[data.length] = 7;
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
    }

    @Test
    void aSmallFileIsNotFlushedEarly() throws IOException {
        try (var channel = new CountingForces(FileChannel.open(dir.resolve("small"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE))) {
            try (var out = new WritebackOutputStream(channel)) {
                out.write(new byte[(int) WritebackOutputStream.EVERY - 1]);
            }
            assertThat(channel.forces.get()).isZero();
        }
    }

    /** A file channel that counts force calls and passes everything on. */
    private static final class CountingForces extends FileChannel {
        final AtomicInteger forces = new AtomicInteger();
        private final FileChannel file;

        CountingForces(FileChannel file) {
            this.file = file;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            forces.incrementAndGet();
            file.force(metaData);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return file.write(src);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return file.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return file.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return file.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return file.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
