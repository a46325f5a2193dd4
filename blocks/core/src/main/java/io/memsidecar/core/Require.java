package io.memsidecar.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Input checks shared by the services. Every failure is INVALID_ARGUMENT with a message naming
 * the field, and happens before any store is touched.
 */
public final class Require {
    private Require() {
    }

    /** A required identifier (key, id, type): non-empty, at most {@code maxBytes} UTF-8 bytes, no NUL. */
    public static String identifier(String value, String field, int maxBytes) {
        if (value.isEmpty()) {
            throw ApiException.invalidArgument(field + " required");
        }
        return text(value, field, maxBytes);
    }

    /** Optional text: at most {@code maxBytes} UTF-8 bytes and no NUL (which no backend can store). */
    public static String text(String value, String field, int maxBytes) {
        if (value.indexOf('\0') >= 0) {
            throw ApiException.invalidArgument(field + " must not contain NUL characters");
        }
        if (value.length() > maxBytes / 3 && value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw ApiException.invalidArgument(field + " is longer than " + maxBytes + " bytes");
        }
        return value;
    }

    /** String maps (metadata, props): no NUL in keys or values, at most {@code maxEntries} entries. */
    public static Map<String, String> stringMap(Map<String, String> map, String field, int maxEntries) {
        if (map.size() > maxEntries) {
            throw ApiException.invalidArgument(field + " has more than " + maxEntries + " entries");
        }
        map.forEach((k, v) -> {
            text(k, field + " key", 1024);
            text(v, field + "[" + k + "]", 65536);
        });
        return map;
    }
}
