package io.memsidecar.core;

/**
 * The namespace a driver stores under. With tenant isolation it is
 * {@code <tenant> 0x1F <namespace>} (spec §1), otherwise the namespace as named.
 */
public final class StorageNamespace {
    public static final char SEPARATOR = '\u001f';

    private StorageNamespace() {
    }

    public static String of(boolean tenantIsolation, Capability capability, String namespace) {
        return tenantIsolation ? capability.tenant() + SEPARATOR + namespace : namespace;
    }

    /** The namespace as configured, without its tenant: what metrics label it with. */
    public static String bare(String storage) {
        return storage.substring(storage.lastIndexOf(SEPARATOR) + 1);
    }
}
