package io.memsidecar.server;

import io.memsidecar.core.spi.Providers;
import io.memsidecar.semantic.spi.EmbedderProvider;
import java.util.Map;
import java.util.Set;

/**
 * Drivers and embedders are found on the class path (ServiceLoader). Two of them are optional parts
 * of the distribution, in their own lib folders, that an edge runtime may leave out; a config that
 * names one that is missing fails with a message naming what to add.
 */
public final class OptionalParts {
    /** Driver or embedder provider name → the lib folder that holds it. */
    private static final Map<String, String> DRIVERS = Map.of("s3", "s3");
    private static final Map<String, String> EMBEDDERS = Map.of("local", "onnx");

    private OptionalParts() {
    }

    public static Set<String> embedderProviders() {
        return Providers.byName(EmbedderProvider.class, EmbedderProvider::provider).keySet();
    }

    public static String missingDriver(String driver, Set<String> available) {
        String folder = DRIVERS.get(driver);
        return folder == null
                ? "unknown driver \"" + driver + "\" (available: " + String.join(", ", available) + ")"
                : missing("the " + driver + " driver", folder);
    }

    public static String missingEmbedder(String provider) {
        String folder = EMBEDDERS.get(provider);
        return folder == null
                ? "unknown provider \"" + provider + "\" (available: " + String.join(", ", embedderProviders()) + ")"
                : missing("the in-process embedder (provider " + provider + ")", folder);
    }

    private static String missing(String what, String folder) {
        return what + " is an optional part that this runtime was built without: add lib/" + folder
                + "/ from the full distribution, or build the runtime with `./dev runtime --with " + folder + "`";
    }
}
