package io.memsidecar.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A backend's {@code options} block, as flat strings, read with typed accessors whose errors name
 * the full config key (for example {@code backends[pg].options.max_conns}).
 */
public final class Options {
    private final String path;
    private final Map<String, String> values;

    public Options(String path, Map<String, String> values) {
        this.path = path;
        this.values = new TreeMap<>(values);
    }

    public Optional<String> string(String key) {
        return Optional.ofNullable(values.get(key)).filter(v -> !v.isBlank());
    }

    /**
     * {@code key}, or else the value of the environment variable named by {@code key_env} (as
     * {@code dsn}/{@code dsn_env}); a named variable that is unset or empty is an error naming it.
     */
    public Optional<String> stringOrEnv(String key) {
        return string(key).or(() -> string(key + "_env").map(env -> {
            String value = System.getenv(env);
            if (value == null || value.isBlank()) {
                throw invalid(key + "_env", "environment variable " + env + " is empty");
            }
            return value;
        }));
    }

    public int integer(String key, int fallback) {
        return string(key).map(v -> {
            try {
                return (int) Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw invalid(key, "must be a number, got \"" + v + "\"");
            }
        }).orElse(fallback);
    }

    public Duration duration(String key, Duration fallback) {
        return string(key).map(v -> {
            try {
                return GoDuration.parse(v);
            } catch (IllegalArgumentException e) {
                throw invalid(key, e.getMessage());
            }
        }).orElse(fallback);
    }

    public boolean bool(String key, boolean fallback) {
        return string(key).map(v -> switch (v.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw invalid(key, "must be true or false, got \"" + v + "\"");
        }).orElse(fallback);
    }

    public IllegalArgumentException invalid(String key, String problem) {
        return new IllegalArgumentException(path + "." + key + ": " + problem);
    }
}
