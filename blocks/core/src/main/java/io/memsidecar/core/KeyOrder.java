package io.memsidecar.core;

import java.util.Comparator;

/**
 * Byte order of UTF-8 encoded strings, which is code point order. {@link String#compareTo}
 * compares UTF-16 units and disagrees with PostgreSQL's {@code COLLATE "C"} for characters
 * outside the Basic Multilingual Plane.
 */
public final class KeyOrder {
    public static final Comparator<String> UTF8 = KeyOrder::compare;

    private KeyOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
