package io.memsidecar.proto;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The build's version (server, memctl and the wire contract are built together), stamped at build time. */
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
