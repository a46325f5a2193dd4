package io.memsidecar.client;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Metadata with Java types on semantic records, whose metadata the server keeps as strings:
 * values are stored as text (numbers in plain decimal, which the server's numeric predicates
 * read), and their types in the record's payload, from which {@link #read} restores them.
 * String, UUID, Integer, Long, Float, Double and Boolean round-trip; anything else comes back as
 * its string. Used by the LangChain4j and Spring AI integrations.
 */
public final class TypedMetadata {
    private static final String PREFIX = "memsidecar-type:";

    private TypedMetadata() {
    }

    /** {@code record} with these values as its metadata, their types in its payload. */
    public static Semantic.Record write(Semantic.Record record, Map<String, ?> values) {
        var text = new LinkedHashMap<String, String>();
        var types = new StringBuilder();
        values.forEach((key, value) -> {
            text.put(key, text(value));
            types.append(PREFIX).append(value.getClass().getSimpleName()).append(':').append(key).append('\n');
        });
        return record.withMetadata(text).withPayload(types.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The metadata of a record written by {@link #write}, with its types back (a mutable map). */
    public static Map<String, Object> read(Semantic.Record record) {
        var types = new HashMap<String, String>();
        for (String line : new String(record.payload(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith(PREFIX)) {
                String rest = line.substring(PREFIX.length());
                int colon = rest.indexOf(':');
                types.put(rest.substring(colon + 1), rest.substring(0, colon));
            }
        }
        var out = new HashMap<String, Object>();
        record.metadata().forEach((key, value) -> out.put(key, switch (types.getOrDefault(key, "String")) {
            case "UUID" -> UUID.fromString(value);
            case "Integer" -> Integer.valueOf(value);
            case "Long" -> Long.valueOf(value);
            case "Float" -> Float.valueOf(value);
            case "Double" -> Double.valueOf(value);
            case "Boolean" -> Boolean.valueOf(value);
            default -> value;
        }));
        return out;
    }

    /** A value as the server stores it: numbers in plain decimal (no exponent), the rest as their string. */
    public static String text(Object value) {
        return switch (value) {
            case Float f -> new BigDecimal(Float.toString(f)).toPlainString();
            case Double d -> new BigDecimal(Double.toString(d)).toPlainString();
            default -> value.toString();
        };
    }
}
