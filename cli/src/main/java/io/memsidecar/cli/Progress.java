package io.memsidecar.cli;

import java.io.PrintStream;

/**
 * A one-line progress report on standard error (bytes, percent when the size is known, bytes per
 * second), redrawn at most ten times a second; silent unless standard error is a terminal.
 */
final class Progress {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final String label;
    private final long total;
    private final boolean enabled;
    private final PrintStream err = System.err;
    private final long started = System.nanoTime();
    private long done;
    private long drawn;

    /** {@code total}: the size if known, else -1. */
    Progress(String label, long total, boolean enabled) {
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    static boolean auto() {
        return Inputs.terminal(2);
    }

    void add(long bytes) {
        done += bytes;
        if (enabled && System.nanoTime() - drawn >= REDRAW_NANOS) {
            draw();
        }
    }

    void finish() {
        if (enabled) {
            draw();
            err.println();
        }
    }

    private void draw() {
        drawn = System.nanoTime();
        double seconds = Math.max(1e-3, (drawn - started) / 1e9);
        String rate = Out.bytes((long) (done / seconds)) + "/s";
        String size = total >= 0 ? Out.bytes(done) + " / " + Out.bytes(total)
                + String.format(" %3d%%", total == 0 ? 100 : (int) (100 * done / total)) : Out.bytes(done);
        err.print("\r" + label + "  " + size + "  " + rate + "    ");
        err.flush();
    }
}
