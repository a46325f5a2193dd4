package io.memsidecar.artifact.spi;

import java.io.IOException;
import java.io.InputStream;

/** An open artifact: its metadata and the requested byte range. Close it when done. */
public record ArtifactRead(ArtifactMeta meta, InputStream body) implements AutoCloseable {
    @Override
    public void close() throws IOException {
        body.close();
    }
}
