package io.memsidecar.lease;

import io.memsidecar.lease.spi.LeaseStore;

/** A configured lease namespace and its store. */
public record LeaseNamespace(String name, LeaseStore store) {
}
