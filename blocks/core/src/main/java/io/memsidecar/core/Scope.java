package io.memsidecar.core;

import java.util.Map;
import java.util.OptionalLong;

/**
 * What authorization and policy need to know about a request before its handler runs: the
 * block, the bare namespace named by the caller, and the sizes that {@code cap} rules look at
 * ({@code limit}, {@code top_k}, {@code depth}, ...).
 */
public record Scope(String block, String namespace, Map<String, Long> sizes) {
    public Scope {
        sizes = Map.copyOf(sizes);
    }

    public static Scope of(String block, String namespace) {
        return new Scope(block, namespace, Map.of());
    }

    public Scope withSize(String name, long value) {
        var copy = new java.util.HashMap<>(sizes);
        copy.put(name, value);
        return new Scope(block, namespace, copy);
    }

    public OptionalLong size(String name) {
        Long value = sizes.get(name);
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }
}
