package io.memsidecar.server.transport;

import io.helidon.webserver.http.ServerRequest;
import io.memsidecar.core.ApiException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Request bodies of the HTTP routes, never buffered past {@code limits.max_message_bytes}: a
 * declared Content-Length over it is refused before a byte is read, and a chunked body is read
 * only until it passes the limit (413, RESOURCE_EXHAUSTED). Streaming routes (artifact PUT) read
 * {@link #stream} instead and have no total limit.
 */
public final class Bodies {
    private final long max;

    public Bodies(long max) {
        this.max = max;
    }

    /** The whole body of a unary request, at most the limit. */
    byte[] read(ServerRequest req) {
        if (empty(req)) {
            return new byte[0];
        }
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > max) {
            throw tooLarge(declared + " bytes");
        }
        try (InputStream in = req.content().inputStream()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (body.length > max) {
                throw tooLarge("more than " + max + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw ApiException.invalidArgument("request body could not be read: " + e.getMessage());
        }
    }

    /** The body as a stream (no total limit). */
    static InputStream stream(ServerRequest req) {
        return empty(req) ? InputStream.nullInputStream() : req.content().inputStream();
    }

    /** The next non-blank line of an NDJSON body, each at most the limit; empty at the end. */
    Optional<byte[]> line(InputStream in) throws IOException {
        while (true) {
            var line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (line.size() == max) {
                    throw tooLarge("a line of more than " + max + " bytes");
                }
                line.write(b);
            }
            if (b == -1 && line.size() == 0) {
                return Optional.empty();
            }
            if (!line.toString(java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
                return Optional.of(line.toByteArray());
            }
        }
    }

    private ApiException tooLarge(String what) {
        return ApiException.tooLarge("request body of " + what + " is over the limit of " + max
                + " bytes (limits.max_message_bytes)");
    }

    /**
     * A declared length of 0 is answered without reading: Helidon 4.2 never ends the (empty)
     * entity of a request upgraded to h2c with {@code Content-Length: 0} (the JDK HttpClient's
     * body-less PUT), so reading it would hang the call.
     */
    private static boolean empty(ServerRequest req) {
        return !req.content().hasEntity() || req.headers().contentLength().orElse(-1) == 0;
    }
}
