package io.memsidecar.semantic.spi;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The lexical terms of a text for the exact sparse lane: lower-cased, split on every character
 * that is not a letter or digit, distinct.
 */
public final class Terms {
    private Terms() {
    }

    public static Set<String> of(String text) {
        var terms = new LinkedHashSet<String>();
        int start = -1;
        String lower = text.toLowerCase(Locale.ROOT);
        for (int i = 0; i <= lower.length(); ) {
            int cp = i < lower.length() ? lower.codePointAt(i) : -1;
            boolean word = cp >= 0 && Character.isLetterOrDigit(cp);
            if (word && start < 0) {
                start = i;
            } else if (!word && start >= 0) {
                terms.add(lower.substring(start, i));
                start = -1;
            }
            i += cp >= 0 ? Character.charCount(cp) : 1;
        }
        return terms;
    }

    /** How many of the distinct query terms are among a text's {@link #of terms}. */
    public static int overlap(Set<String> queryTerms, Set<String> textTerms) {
        int n = 0;
        for (String t : queryTerms) {
            if (textTerms.contains(t)) {
                n++;
            }
        }
        return n;
    }
}
