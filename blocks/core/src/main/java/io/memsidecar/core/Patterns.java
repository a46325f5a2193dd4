package io.memsidecar.core;

/** Name patterns of tokens and policy: {@code *}, an exact name, or a prefix ending in {@code *}. */
public final class Patterns {
    private Patterns() {
    }

    public static boolean matches(String pattern, String value) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.endsWith("*")) {
            return value.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(value);
    }
}
