package io.memsidecar.driver.s3;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * An object's body read ahead on a platform thread, in blocks of {@link #BLOCK} bytes, at most
 * {@value #QUEUED} of them waiting for the reader.
 *
 * <p>Why: the SDK's HTTP client reads the response with blocking socket reads. On the virtual
 * thread that serves a Get, every read that finds the socket empty unmounts the thread (with the
 * SDK's deep stack), parks it with the JDK's poller and mounts it again when data arrives.
 * Measured against s3proxy, that cost 1.6–2.1 ms of CPU per MB read, against
 * 0.4–0.5 ms for the same reads on a platform thread, which the kernel simply wakes. Here the
 * Get's virtual thread waits once per block instead.
 *
 * <p>At most {@value #THREADS} bodies are read this way at once (their threads come from a cached
 * pool); a Get past that reads its body directly, as before. Closing the stream aborts the HTTP
 * response (a cancelled Get does not drain the rest of the object) and stops the thread.
 */
final class ReadAhead extends InputStream {
    static final int BLOCK = 256 * 1024;
    private static final int QUEUED = 2;
    private static final int THREADS = 64;
    private static final Semaphore PERMITS = new Semaphore(THREADS);
    private static final ExecutorService READERS = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("memsidecar-s3-read-", 0).factory());
    private static final byte[] END = new byte[0];

    private final ResponseInputStream<?> source;
    private final BlockingQueue<byte[]> blocks = new ArrayBlockingQueue<>(QUEUED);
    /** Set by whichever comes first, the reading thread or a close before it started (then the close gives the permit back). */
    private final AtomicBoolean started = new AtomicBoolean();
    private final Future<?> reader;
    private volatile IOException failure;
    private volatile boolean closed;
    private byte[] current = new byte[0];
    private int position;

    /** {@code source} read ahead on a platform thread, or {@code source} itself when all of them are busy. */
    static InputStream of(ResponseInputStream<?> source) {
        return PERMITS.tryAcquire() ? new ReadAhead(source) : source;
    }

    private ReadAhead(ResponseInputStream<?> source) {
        this.source = source;
        this.reader = READERS.submit(this::readAll);
    }

    private void readAll() {
        if (!started.compareAndSet(false, true)) {
            return; // closed before it started
        }
        try {
            try {
                for (byte[] block = new byte[BLOCK]; ; block = new byte[BLOCK]) {
                    int n = source.readNBytes(block, 0, BLOCK);
                    if (n == 0) {
                        break;
                    }
                    blocks.put(n == BLOCK ? block : Arrays.copyOf(block, n));
                }
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                failure = e; // the reader takes what is queued, then sees it
            }
            blocks.put(END);
        } catch (InterruptedException e) {
            // closed: nobody reads on
        } finally {
            PERMITS.release();
        }
    }

    /** The next block, or null at the end. */
    private byte[] next() throws IOException {
        if (current == END) {
            return null;
        }
        if (position < current.length) {
            return current;
        }
        try {
            current = blocks.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("read of the object interrupted");
        }
        position = 0;
        if (current == END) {
            if (failure != null) {
                throw failure;
            }
            return null;
        }
        return current;
    }

    @Override
    public int read() throws IOException {
        byte[] block = next();
        return block == null ? -1 : block[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        byte[] block = next();
        if (block == null) {
            return -1;
        }
        int n = Math.min(len, block.length - position);
        System.arraycopy(block, position, b, off, n);
        position += n;
        return n;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!reader.isDone()) {
            source.abort(); // unblocks a socket read, and the rest of the object is not drained
            reader.cancel(true); // unblocks a wait for room in the queue
            if (started.compareAndSet(false, true)) {
                PERMITS.release();
            }
        }
        source.close();
    }
}
