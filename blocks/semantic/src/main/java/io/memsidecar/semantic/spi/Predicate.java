package io.memsidecar.semantic.spi;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A validated metadata predicate (spec §6.3). A missing key never matches; a stored value that
 * is not a plain decimal never matches a numeric operator. {@link #matches} is the reference
 * semantics; drivers that compile predicates to a query language must agree with it.
 */
public record Predicate(String key, Op op, List<String> values) {
    /** A stored value is numeric when it matches this (the original's guard before a cast). */
    public static final Pattern NUMERIC = Pattern.compile("^-?[0-9]+(\\.[0-9]+)?$");

    public enum Op {
        EQ, NEQ, GT, GTE, LT, LTE, IN;

        public boolean numeric() {
            return this == GT || this == GTE || this == LT || this == LTE;
        }
    }

    public Predicate {
        values = List.copyOf(values);
    }

    /** The single value of a numeric operator, as a number. */
    public BigDecimal number() {
        return new BigDecimal(values.getFirst());
    }

    public boolean matches(Map<String, String> metadata) {
        String stored = metadata.get(key);
        if (stored == null) {
            return false;
        }
        return switch (op) {
            case EQ -> stored.equals(values.getFirst());
            case NEQ -> !stored.equals(values.getFirst());
            case IN -> values.contains(stored);
            case GT, GTE, LT, LTE -> {
                if (!NUMERIC.matcher(stored).matches()) {
                    yield false;
                }
                int c = new BigDecimal(stored).compareTo(number());
                yield switch (op) {
                    case GT -> c > 0;
                    case GTE -> c >= 0;
                    case LT -> c < 0;
                    default -> c <= 0;
                };
            }
        };
    }
}
