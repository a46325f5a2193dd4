package io.memsidecar.server.observe;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The access log: one JSON line per call (the same fields the log has always had), formatted by hand
 * — no map, no reflection, no JSON library — and handed to a bounded queue that one writer thread
 * empties into large writes on stderr every {@link #INTERVAL_NANOS}, or at once when
 * {@link #WAKE_EVERY} lines have come in since it last looked (as Envoy's buffered access log does). A
 * call never waits for the log: when the queue is full the line is dropped and counted
 * ({@code memsidecar_access_log_dropped_total}), so the heap never grows with a slow stderr. What is
 * queued is written by {@link #flush()}, which the server's stop runs after the last call.
 *
 * <p>One per process, like stderr: {@link #configure} sets it from {@code logging.access},
 * {@code logging.level} and {@code logging.access_sample} at start and on every reload.
 */
public final class AccessLog {
    static final int CAPACITY = 65_536;
    static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int WAKE_EVERY = 4096;
    private static final AccessLog GLOBAL = new AccessLog(System.err, CAPACITY);

    private final ArrayBlockingQueue<String> queue;
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong offered = new AtomicLong();
    private volatile OutputStream out;
    private volatile boolean enabled = true;
    private volatile boolean okCalls = true;
    private volatile double sample = 1.0;
    private volatile Thread writer;

    AccessLog(OutputStream out, int capacity) {
        this.out = out;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** The process's access log. */
    public static AccessLog global() {
        return GLOBAL;
    }

    /**
     * {@code enabled}: {@code logging.access}; {@code okCalls}: whether the log level lets INFO lines
     * through (errors are WARN); {@code sample}: the fraction of OK calls logged (errors always are).
     */
    public void configure(boolean enabled, boolean okCalls, double sample) {
        this.okCalls = okCalls;
        this.sample = sample;
        this.enabled = enabled;
    }

    /** Where lines go (stderr; a test may take them). Whatever is queued is written first. */
    public void redirect(OutputStream to) {
        flush();
        this.out = to;
    }

    /** Whether a call with this outcome would be logged; cheap, for the filter to skip the work. */
    boolean wants(boolean ok) {
        if (!enabled || ok && !okCalls) {
            return false;
        }
        return !ok || sample >= 1.0 || ThreadLocalRandom.current().nextDouble() < sample;
    }

    /** Lines dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Queues one line; never blocks. */
    void add(String line) {
        if (!queue.offer(line)) {
            dropped.incrementAndGet();
            return;
        }
        Thread w = writer;
        if (w == null) {
            w = start();
        }
        if (offered.incrementAndGet() % WAKE_EVERY == 0) {
            LockSupport.unpark(w);
        }
    }

    private synchronized Thread start() {
        if (writer == null) {
            writer = Thread.ofPlatform().daemon().name("memsidecar-access-log").start(this::run);
        }
        return writer;
    }

    private void run() {
        while (true) {
            LockSupport.parkNanos(INTERVAL_NANOS);
            flush();
        }
    }

    /** Writes everything queued now, in one write. */
    public void flush() {
        writing.lock();
        try {
            var lines = new ArrayList<String>(Math.min(queue.size() + 16, CAPACITY));
            queue.drainTo(lines);
            if (lines.isEmpty()) {
                return;
            }
            var sb = new StringBuilder(lines.size() * 256);
            for (String line : lines) {
                sb.append(line).append('\n');
            }
            try {
                out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                dropped.addAndGet(lines.size()); // stderr is gone: nothing to tell it
            }
        } finally {
            writing.unlock();
        }
    }

    /** One line's JSON, built field by field. */
    static final class Line {
        private final StringBuilder sb = new StringBuilder(320);
        private boolean first = true;

        Line(boolean ok) {
            sb.append('{');
            field("time", Instant.now().toString());
            field("level", ok ? "INFO" : "WARN");
            field("logger", "memsidecar.access");
            field("msg", "rpc");
        }

        Line field(String name, String value) {
            key(name);
            sb.append('"');
            escape(value);
            sb.append('"');
            return this;
        }

        Line number(String name, double value) {
            key(name);
            sb.append(value);
            return this;
        }

        private void key(String name) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            sb.append('"').append(name).append("\":");
        }

        private void escape(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
        }

        String end() {
            return sb.append('}').toString();
        }
    }
}
