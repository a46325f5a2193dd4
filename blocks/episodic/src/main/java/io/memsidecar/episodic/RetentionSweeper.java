package io.memsidecar.episodic;

import io.memsidecar.core.Evictions;
import io.memsidecar.core.StorageNamespace;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.ExpireQuery;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies each namespace's retention in the background, one virtual thread per namespace, in
 * batches so no single statement holds locks for long. Requests never wait for it.
 */
public final class RetentionSweeper implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RetentionSweeper.class.getName());
    static final int BATCH = 1000;

    private final List<Thread> threads = new ArrayList<>();
    private final Clock clock;
    private final boolean tenantIsolation;

    private final Evictions evictions;

    /** {@code evictions}: where each pass counts what it removed (cause {@code retention}). */
    public RetentionSweeper(EpisodicService service, Clock clock, Evictions evictions) {
        this.clock = clock;
        this.evictions = evictions;
        this.tenantIsolation = service.tenantIsolation();
        for (EpisodicNamespace ns : service.withRetention()) {
            threads.add(Thread.ofVirtual().name("memsidecar-retention-" + ns.name()).start(() -> loop(ns)));
        }
    }

    private void loop(EpisodicNamespace ns) {
        Retention r = ns.retention().orElseThrow();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(r.interval());
                sweepOnce(ns);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "retention of episodic/" + ns.name() + " failed: " + e.getMessage());
            }
        }
    }

    /** One pass over every storage namespace of {@code ns}; returns the events removed. */
    public long sweepOnce(EpisodicNamespace ns) {
        Retention r = ns.retention().orElseThrow();
        EpisodicStore store = ns.store();
        long total = 0;
        for (String storage : storageNamespaces(ns)) {
            if (r.maxAge().isPresent()) {
                total += drain(store, storage, new ExpireQuery(0, java.util.Optional.of(clock.instant().minus(r.maxAge().get())),
                        r.hard(), BATCH));
            }
            if (r.maxItems().isPresent()) {
                long keepFrom = store.lastCursor(storage) - r.maxItems().getAsLong() + 1;
                if (keepFrom > 1) {
                    total += drain(store, storage, new ExpireQuery(keepFrom, java.util.Optional.empty(), r.hard(), BATCH));
                }
            }
        }
        return total;
    }

    private List<String> storageNamespaces(EpisodicNamespace ns) {
        if (!tenantIsolation) {
            return List.of(ns.name());
        }
        String suffix = StorageNamespace.SEPARATOR + ns.name();
        return ns.store().namespaces().stream().filter(s -> s.endsWith(suffix)).toList();
    }

    private long drain(EpisodicStore store, String storage, ExpireQuery q) {
        long total = 0;
        long affected;
        do {
            affected = store.expire(storage, q);
            total += affected;
        } while (affected == BATCH);
        evictions.record(storage, total);
        return total;
    }

    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
    }
}
