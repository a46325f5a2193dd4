package io.memsidecar.core.spi;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Driver lookup through {@link ServiceLoader}. */
public final class Backends {
    private Backends() {
    }

    /** Every provider on the class path, by driver name. */
    public static Map<String, BackendProvider> providers() {
        var map = new TreeMap<String, BackendProvider>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            map.put(p.driver(), p);
        }
        return map;
    }
}
