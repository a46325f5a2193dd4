package io.memsidecar.core.spi;

/**
 * Opens backends of one driver kind ({@code memory}, {@code postgres}, ...). Found with
 * {@link java.util.ServiceLoader} by the {@code driver} named in a backend's config.
 */
public interface BackendProvider {
    /** The driver name used in config, e.g. {@code postgres}. */
    String driver();

    /** Opens the backend; fails with an {@link IllegalArgumentException} naming the bad option. */
    Backend open(BackendSpec spec);
}
