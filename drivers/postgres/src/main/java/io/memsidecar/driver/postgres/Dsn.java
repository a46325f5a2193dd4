package io.memsidecar.driver.postgres;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the libpq-style URLs of the original's configs
 * ({@code postgres://user:pw@host:5432/db?sslmode=disable}) into pgJDBC URLs. A {@code jdbc:}
 * URL is taken as it is.
 */
final class Dsn {
    private Dsn() {
    }

    static String toJdbcUrl(String dsn) {
        String trimmed = dsn.strip();
        if (trimmed.startsWith("jdbc:postgresql:")) {
            return trimmed;
        }
        if (!trimmed.startsWith("postgres://") && !trimmed.startsWith("postgresql://")) {
            throw new IllegalArgumentException("dsn must be a postgres:// or jdbc:postgresql: URL");
        }
        URI uri = URI.create(trimmed);
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
        List<String> params = new ArrayList<>();
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            params.add("user=" + encode(decode(parts[0])));
            if (parts.length == 2) {
                params.add("password=" + encode(decode(parts[1])));
            }
        }
        if (uri.getRawQuery() != null) {
            for (String p : uri.getRawQuery().split("&")) {
                if (!p.isEmpty()) {
                    params.add(p);
                }
            }
        }
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + hostPart + ":" + port + "/" + db
                + (params.isEmpty() ? "" : "?" + String.join("&", params));
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
