package io.memsidecar.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version, stamped into a resource at build time. */
public final class Version {
    private Version() {
    }

    public static String current() {
        try (InputStream in = Version.class.getResourceAsStream("/memsidecar-version.properties")) {
            var p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}
