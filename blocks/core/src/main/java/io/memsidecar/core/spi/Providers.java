package io.memsidecar.core.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;

/** Plug-in lookup through {@link ServiceLoader}: backend drivers, embedders. */
public final class Providers {
    private Providers() {
    }

    /** Every provider of {@code type} on the class path, by the name config uses for it. */
    public static <T> Map<String, T> byName(Class<T> type, Function<T, String> name) {
        var map = new TreeMap<String, T>();
        for (T p : ServiceLoader.load(type)) {
            map.put(name.apply(p), p);
        }
        return map;
    }
}
