package io.memsidecar.core.spi;

import io.memsidecar.core.Options;
import java.time.Clock;

/** What a provider needs to open a backend: its config name, options, and the server clock. */
public record BackendSpec(String name, Options options, Clock clock) {
}
