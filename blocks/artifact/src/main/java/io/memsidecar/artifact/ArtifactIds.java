package io.memsidecar.artifact;

import io.memsidecar.core.ApiException;
import java.util.regex.Pattern;

/**
 * Artifact ids (spec §2.5): {@code [a-zA-Z0-9_.-]{1,128}}, never "." or "..", so an id is always
 * one safe path segment or object-key part, on every path.
 */
public final class ArtifactIds {
    private static final Pattern ID = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");

    private ArtifactIds() {
    }

    public static String check(String id) {
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw ApiException.invalidArgument("invalid artifact id \"" + (id.length() > 140 ? id.substring(0, 140) + "…" : id)
                    + "\": 1-128 characters of a-z A-Z 0-9 _ . -, not \".\" or \"..\"");
        }
        return id;
    }
}
