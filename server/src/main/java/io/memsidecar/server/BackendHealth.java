package io.memsidecar.server;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.memsidecar.core.Deadline;
import io.memsidecar.core.spi.Backend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Readiness from checks that run in the background: every backend is checked every
 * {@link #INTERVAL}, each check bounded by {@link #CHECK_TIMEOUT}, so {@code /readyz} and the gRPC
 * health service report the last result at once in every state (an endpoint that ran the checks
 * itself would hang as long as a dead database). A transition logs one line and flips the gRPC
 * health status of every service; {@code memsidecar_backend_up{backend}} is 1 or 0.
 */
final class BackendHealth implements AutoCloseable {
    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final Duration CHECK_TIMEOUT = Duration.ofSeconds(1);
    private static final System.Logger LOG = System.getLogger(BackendHealth.class.getName());

    /** One backend's last known state and since when it holds. */
    record State(boolean up, Instant since) {
    }

    private final Map<String, Backend> backends;
    private final HealthStatusManager health;
    private final Collection<String> services;
    private final Clock clock;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("memsidecar-readiness").factory());
    private final ExecutorService checks = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean ready;
    private volatile boolean published;

    BackendHealth(Map<String, Backend> backends, HealthStatusManager health, Collection<String> services, Clock clock) {
        this.backends = backends;
        this.health = health;
        this.services = services;
        this.clock = clock;
        backends.keySet().forEach(name -> states.put(name, new State(true, clock.instant())));
        publish(true);
    }

    /** Starts the checks: the first after one interval (the backends were just opened). */
    void start() {
        timer.scheduleWithFixedDelay(this::checkAll, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    void gauges(MeterRegistry registry) {
        backends.keySet().forEach(name -> Gauge.builder("memsidecar.backend.up", () -> states.get(name).up() ? 1 : 0)
                .description("1 while the backend's readiness check passes, else 0").tags("backend", name)
                .register(registry));
    }

    boolean ready() {
        return ready;
    }

    /**
     * {@code {"status":"UP","backends":{"pg":{"up":true,"since":"…"}}}}. The reason a backend is down
     * goes to the log only: the endpoint is unauthenticated.
     */
    String json() {
        var sb = new StringBuilder("{\"status\":\"").append(ready ? "UP" : "DOWN").append("\",\"backends\":{");
        var ordered = new LinkedHashMap<String, State>();
        backends.keySet().forEach(name -> ordered.put(name, states.get(name)));
        boolean first = true;
        for (var e : ordered.entrySet()) {
            sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":{\"up\":").append(e.getValue().up())
                    .append(",\"since\":\"").append(e.getValue().since()).append('"');
            sb.append('}');
            first = false;
        }
        return sb.append("}}").toString();
    }

    /** Runs every backend's check at once, each on its own virtual thread and bounded by CHECK_TIMEOUT. */
    void checkAll() {
        var running = new LinkedHashMap<String, Future<?>>();
        backends.forEach((name, backend) -> running.put(name, checks.submit(() -> {
            long deadline = System.nanoTime() + CHECK_TIMEOUT.toNanos();
            try (var scope = Deadline.bind(deadline, deadline)) {
                backend.check();
            }
        })));
        long until = System.nanoTime() + CHECK_TIMEOUT.toNanos();
        for (var e : running.entrySet()) {
            String reason = "";
            try {
                e.getValue().get(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException timeout) {
                e.getValue().cancel(true); // a hung check is abandoned, not waited for
                reason = "no answer within " + CHECK_TIMEOUT.toMillis() + " ms";
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException failed) {
                Throwable cause = failed.getCause();
                reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            }
            record(e.getKey(), reason.isEmpty(), reason);
        }
        publish(states.values().stream().allMatch(State::up));
    }

    private void record(String name, boolean up, String reason) {
        State before = states.get(name);
        if (before.up() != up) {
            states.put(name, new State(up, clock.instant()));
            if (up) {
                LOG.log(Level.INFO, "backend " + name + " is back (down since " + before.since() + ")");
            } else {
                LOG.log(Level.WARNING, "backend " + name + " is down: " + reason);
            }
        }
    }

    private void publish(boolean allUp) {
        if (published && allUp == ready) {
            return;
        }
        published = true;
        ready = allUp;
        ServingStatus status = allUp ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
        health.setStatus("", status);
        services.forEach(s -> health.setStatus(s, status));
    }

    @Override
    public void close() {
        timer.shutdownNow();
        checks.shutdownNow();
    }

}
