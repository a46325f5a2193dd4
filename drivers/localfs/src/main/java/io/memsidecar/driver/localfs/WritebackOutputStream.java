package io.memsidecar.driver.localfs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Writes to a file and, each time another {@value #EVERY} bytes are written, has what is written so
 * far flushed to disk (fdatasync) on a helper thread while the writes go on, at most one flush at a
 * time. The disk then works while the upload still arrives, and the final fsync of the Put finds
 * little left to write, where it used to start writing the whole file only once the last byte had
 * arrived. Failures of these early flushes are ignored: only the caller's final fsync makes the
 * file durable, and it fails if the disk does.
 */
final class WritebackOutputStream extends OutputStream {
    static final long EVERY = 8L * 1024 * 1024;

    private final FileChannel channel;
    private long unflushed;
    private Thread flushing;

    WritebackOutputStream(FileChannel channel) {
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        unflushed += len;
        if (unflushed >= EVERY && (flushing == null || !flushing.isAlive())) {
            unflushed = 0;
            flushing = Thread.ofVirtual().name("memsidecar-fs-writeback").start(() -> {
                try {
                    channel.force(false);
                } catch (IOException e) {
                    // the final fsync decides (a closed channel ends up here too: the Put failed)
                }
            });
        }
    }

    /** Waits for a flush in progress; the channel stays open for the caller's final fsync. */
    @Override
    public void close() throws IOException {
        if (flushing != null) {
            try {
                flushing.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while the file was flushed");
            }
        }
    }
}
