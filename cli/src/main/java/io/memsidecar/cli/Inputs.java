package io.memsidecar.cli;

import com.google.protobuf.ByteString;
import io.memsidecar.core.GoDuration;
import io.memsidecar.core.ProtoTime;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Command-line values turned into request fields. */
final class Inputs {
    /** The most a single value (KV value, event payload, record text) may take from stdin or a file. */
    static final int MAX_VALUE_BYTES = 64 << 20;

    private Inputs() {
    }

    /** {@code -} reads standard input, {@code @file} a file, anything else is the value itself. */
    static ByteString value(String arg) throws IOException {
        if (arg.equals("-")) {
            return bounded(System.in, "standard input");
        }
        if (arg.startsWith("@") && arg.length() > 1) {
            try (InputStream in = Files.newInputStream(Path.of(arg.substring(1)))) {
                return bounded(in, arg.substring(1));
            }
        }
        return ByteString.copyFromUtf8(arg);
    }

    private static ByteString bounded(InputStream in, String what) throws IOException {
        byte[] bytes = in.readNBytes(MAX_VALUE_BYTES + 1);
        if (bytes.length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException(what + " holds more than " + MAX_VALUE_BYTES
                    + " bytes; use an artifact for large values");
        }
        return ByteString.copyFrom(bytes);
    }

    static com.google.protobuf.Duration duration(String goDuration) {
        return ProtoTime.duration(GoDuration.parse(goDuration));
    }

    /** An RFC 3339 time, e.g. 2026-01-02T15:04:05Z. */
    static com.google.protobuf.Timestamp time(String rfc3339) {
        try {
            return ProtoTime.timestamp(java.time.OffsetDateTime.parse(rfc3339).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return ProtoTime.timestamp(Instant.parse(rfc3339));
            } catch (DateTimeParseException again) {
                throw new IllegalArgumentException("not an RFC 3339 time: " + rfc3339);
            }
        }
    }

    /** Whether file descriptor 1 or 2 is a terminal (Linux: what /proc says it points to). */
    static boolean terminal(int fd) {
        if (System.console() == null) {
            return false;
        }
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
