package io.memsidecar.embedder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.core.Options;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The HTTP side of the network embedders: one JSON POST with a per-attempt timeout, retried with
 * exponential backoff and jitter on connection failures, 429 and 5xx (honouring a Retry-After of
 * seconds, capped). Any other non-2xx answer fails at once with the first 4 KiB of its body.
 * Nothing is sent at construction. Headers (the API key) never appear in messages.
 */
final class HttpEmbedding {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final int BODY_SNIPPET = 4096;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final HttpClient client;
    private final URI endpoint;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final int maxRetries;
    private final Duration initialBackoff;

    HttpEmbedding(URI endpoint, Map<String, String> headers, Options options) {
        this.endpoint = endpoint;
        this.headers = Map.copyOf(headers);
        this.timeout = options.duration("timeout", Duration.ofSeconds(30));
        this.maxRetries = options.integer("max_retries", 3);
        this.initialBackoff = options.duration("retry_backoff", Duration.ofMillis(250));
        if (timeout.isNegative() || timeout.isZero()) {
            throw options.invalid("timeout", "must be > 0");
        }
        if (maxRetries < 0) {
            throw options.invalid("max_retries", "must not be negative");
        }
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** {@code base_url} (or the provider's default) without trailing slashes. */
    static String baseUrl(Options options, String defaultBase) {
        return options.string("base_url").orElse(defaultBase).replaceAll("/+$", "");
    }

    /** {@link #baseUrl} + {@code path}, checked to be an http(s) URL. */
    static URI endpoint(Options options, String defaultBase, String path) {
        String base = baseUrl(options, defaultBase);
        try {
            URI uri = URI.create(base + path);
            if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
                throw options.invalid("base_url", "must be an http(s) URL, got \"" + base + "\"");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw options.invalid("base_url", e.getMessage());
        }
    }

    /** POSTs {@code body} and returns the parsed JSON answer. */
    JsonNode post(Object body) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        var builder = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        for (int attempt = 0; ; attempt++) {
            String failure;
            Optional<Duration> retryAfter = Optional.empty();
            try {
                HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    try {
                        return JSON.readTree(response.body());
                    } catch (IOException e) {
                        throw new IllegalStateException(endpoint + " answered malformed JSON: " + e.getMessage());
                    }
                }
                failure = endpoint + " answered HTTP " + status + ": " + snippet(response.body());
                if (status != 429 && status / 100 != 5) {
                    throw new IllegalStateException(failure);
                }
                retryAfter = response.headers().firstValue("Retry-After").flatMap(HttpEmbedding::seconds);
            } catch (IOException e) {
                failure = endpoint + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted calling " + endpoint);
            }
            if (attempt >= maxRetries) {
                throw new IllegalStateException(failure + (maxRetries > 0 ? " (after " + (attempt + 1) + " attempts)" : ""));
            }
            sleep(retryAfter.isPresent() ? retryAfter.get() : backoff(attempt));
        }
    }

    private Duration backoff(int attempt) {
        long base = initialBackoff.toMillis() << Math.min(attempt, 10);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        return Duration.ofMillis(Math.min(jittered, MAX_BACKOFF.toMillis()));
    }

    private static Optional<Duration> seconds(String header) {
        try {
            long s = Long.parseLong(header.strip());
            return s >= 0 ? Optional.of(Duration.ofSeconds(Math.min(s, MAX_BACKOFF.toSeconds()))) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off");
        }
    }

    private static String snippet(byte[] body) {
        String s = new String(body, 0, Math.min(body.length, BODY_SNIPPET), StandardCharsets.UTF_8);
        return s.isBlank() ? "(empty body)" : s.strip();
    }

    /** A JSON array of numbers as a vector of exactly {@code dims}, or an error naming {@code what}. */
    static float[] vector(JsonNode node, int dims, String what) {
        if (node == null || !node.isArray()) {
            throw new IllegalStateException(what + " is not an array");
        }
        if (node.size() != dims) {
            throw new IllegalStateException(what + " has " + node.size() + " dimensions, expected " + dims);
        }
        var v = new float[dims];
        for (int i = 0; i < dims; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalStateException(what + "[" + i + "] is not a number");
            }
            v[i] = node.get(i).floatValue();
        }
        return v;
    }
}
