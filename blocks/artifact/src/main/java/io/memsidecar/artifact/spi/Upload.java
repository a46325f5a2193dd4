package io.memsidecar.artifact.spi;

import java.io.InputStream;
import java.util.Map;

/**
 * One Put as a driver sees it. The driver reads {@link #body()} to its end into a private
 * temporary place, then calls {@link #seal()}: it returns the size and SHA-256 the service
 * computed on the way, or throws (a size or checksum the client promised and did not deliver),
 * in which case nothing may become visible. Only after a successful seal does the driver make
 * the artifact visible, atomically replacing any previous version. Drivers read
 * {@link #contentType()} and {@link #metadata()} after {@link #seal()}: a wrapper (encryption at
 * rest) may only know its entries once the body has been read.
 */
public interface Upload {
    String id();

    String contentType();

    Map<String, String> metadata();

    InputStream body();

    Integrity seal();

    /** What the service measured. */
    record Integrity(long size, String sha256) {
    }
}
