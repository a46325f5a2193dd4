package io.memsidecar.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What commands print: aligned tables for people, or one protobuf-JSON object per line (the
 * wire contract's JSON names, bytes as base64) for {@code jq}. Rows of a stream are printed as
 * they arrive, with fixed column widths, so a tail never waits for the end.
 */
final class Out {
    enum Format { table, json }

    private static final JsonFormat.Printer JSON = JsonFormat.printer().omittingInsignificantWhitespace();
    private final Format format;
    private final PrintStream stdout = System.out;

    Out(Format format) {
        this.format = format;
    }

    boolean json() {
        return format == Format.json;
    }

    /** Prints the message as JSON (json) or runs {@code table} (table). */
    void print(MessageOrBuilder message, Runnable table) {
        if (json()) {
            stdout.println(json(message));
        } else {
            table.run();
        }
        stdout.flush();
    }

    /** The answer of a Delete or Release: "deleted"/"released", or "(not found)" with exit code 2. */
    int existed(MessageOrBuilder response, boolean existed, String done) {
        print(response, () -> line(existed ? done : "(not found)"));
        return existed ? Memctl.OK : Memctl.NOT_FOUND;
    }

    /** A Get or Stat that found nothing: "(not found)" on stderr, exit code 2. */
    static int notFound() {
        System.err.println("(not found)");
        return Memctl.NOT_FOUND;
    }

    void line(String text) {
        stdout.println(text);
        stdout.flush();
    }

    static String json(MessageOrBuilder message) {
        try {
            return JSON.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A table whose rows are printed as soon as they are added, in columns of the given widths. */
    Table table(int[] widths, String... headers) {
        return new Table(widths, headers);
    }

    final class Table {
        private final int[] widths;
        private final List<String[]> pending = new ArrayList<>();
        private boolean headed;

        private Table(int[] widths, String[] headers) {
            this.widths = widths;
            pending.add(headers);
        }

        void row(Object... cells) {
            if (!headed) {
                write(pending.removeFirst());
                headed = true;
            }
            var text = new String[cells.length];
            for (int i = 0; i < cells.length; i++) {
                text[i] = String.valueOf(cells[i]);
            }
            write(text);
        }

        /** Prints the header now if no row has yet (nothing in json output). */
        void end() {
            if (!headed && !json()) {
                write(pending.removeFirst());
                headed = true;
            }
        }

        private void write(String[] cells) {
            var line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                String cell = cells[i].replace('\n', ' ');
                if (i < cells.length - 1) {
                    line.append(String.format("%-" + widths[i] + "s ", truncate(cell, widths[i])));
                } else {
                    line.append(cell);
                }
            }
            stdout.println(line.toString().stripTrailing());
            stdout.flush();
        }
    }

    static String truncate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, Math.max(0, width - 1)) + "…";
    }

    static String time(Timestamp t) {
        if (t == null || (t.getSeconds() == 0 && t.getNanos() == 0)) {
            return "-";
        }
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Bytes as text for a table cell: UTF-8 as is, else a size. */
    static String text(ByteString b) {
        return b.isValidUtf8() ? b.toStringUtf8() : "(" + b.size() + " bytes, binary)";
    }

    static String map(Map<String, String> m) {
        return m.isEmpty() ? "-" : m.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, units[u]);
    }
}
