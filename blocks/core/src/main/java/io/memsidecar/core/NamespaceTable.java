package io.memsidecar.core;

import java.util.Collection;
import java.util.Map;

/**
 * A block's configured namespaces, and the first thing every handler does with a request: check
 * the caller's scope again (defence in depth, whatever the filters did), find the namespace
 * (NOT_FOUND "namespace not configured") and map it to its storage name (tenant isolation).
 */
public final class NamespaceTable<N> {
    /** A resolved request target: the configured namespace and the name its driver stores under. */
    public record Target<N>(N namespace, String storage) {
    }

    private final String block;
    private final Map<String, N> namespaces;
    private final boolean tenantIsolation;

    public NamespaceTable(String block, Map<String, N> namespaces, boolean tenantIsolation) {
        this.block = block;
        this.namespaces = Map.copyOf(namespaces);
        this.tenantIsolation = tenantIsolation;
    }

    public Target<N> resolve(Call call, Op op, String name) {
        Capability capability = call.requireCapability();
        capability.check(op, name);
        N ns = namespaces.get(name);
        if (ns == null) {
            throw ApiException.notFound("namespace " + block + "/" + name + " not configured");
        }
        return new Target<>(ns, StorageNamespace.of(tenantIsolation, capability, name));
    }

    public Collection<N> all() {
        return namespaces.values();
    }

    public boolean tenantIsolation() {
        return tenantIsolation;
    }
}
