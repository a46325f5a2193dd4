package io.memsidecar.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go duration strings ({@code 5m}, {@code 250ms}, {@code 1h30m}, {@code 1.5s}), the form the
 * original's config files use. A bare number is taken as seconds.
 */
public final class GoDuration {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");

    private GoDuration() {
    }

    public static Duration parse(String text) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        if (negative || s.startsWith("+")) {
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (NUMBER.matcher(s).matches()) {
            return signed(negative, nanos(s, 1_000_000_000L));
        }
        Matcher m = PART.matcher(s);
        long total = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            total = Math.addExact(total, nanos(m.group(1), unitNanos(m.group(2))));
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\" (examples: 250ms, 5m, 1h30m)");
        }
        return signed(negative, total);
    }

    private static Duration signed(boolean negative, long nanos) {
        return Duration.ofNanos(negative ? -nanos : nanos);
    }

    private static long nanos(String number, long unit) {
        return new java.math.BigDecimal(number).multiply(java.math.BigDecimal.valueOf(unit)).longValue();
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }
}
