package io.memsidecar.driver.memory;

import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Episodic logs in process memory, one lock per namespace (the map is the database). Appends
 * signal a condition that tailers wait on.
 */
final class MemoryEpisodicStore implements EpisodicStore {
    private final Clock clock;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();

    MemoryEpisodicStore(Clock clock) {
        this.clock = clock;
    }

    private static final class Log {
        final ReentrantLock lock = new ReentrantLock();
        final Condition appended = lock.newCondition();
        final TreeMap<Long, Event> events = new TreeMap<>();
        final Map<String, Long> cursorOfId = new HashMap<>();
        final Map<String, String> idOfDedupKey = new HashMap<>();
        final Map<String, String> dedupKeyOfId = new HashMap<>();
        long lastCursor;
    }

    private Log log(String namespace) {
        return logs.computeIfAbsent(namespace, n -> new Log());
    }

    @Override
    public Event append(String namespace, NewEvent e) {
        Log log = log(namespace);
        log.lock.lock();
        try {
            if (e.dedupKey().isPresent()) {
                String existing = log.idOfDedupKey.get(e.dedupKey().get());
                if (existing != null) {
                    return log.events.get(log.cursorOfId.get(existing));
                }
            }
            Instant now = clock.instant();
            String id = UUID.randomUUID().toString();
            long cursor = ++log.lastCursor;
            for (String target : e.supersedes()) {
                Long c = log.cursorOfId.get(target);
                if (c != null) {
                    Event old = log.events.get(c);
                    if (old.deletedAt().isEmpty()) {
                        log.events.put(c, tombstoned(old, now));
                    }
                }
            }
            var event = new Event(id, cursor, now, e.type(), e.payload().clone(), e.metadata(), e.role(), e.sessionId(),
                    e.supersedes(), e.source(), Optional.empty());
            log.events.put(cursor, event);
            log.cursorOfId.put(id, cursor);
            e.dedupKey().ifPresent(k -> {
                log.idOfDedupKey.put(k, id);
                log.dedupKeyOfId.put(id, k);
            });
            log.appended.signalAll();
            return event;
        } finally {
            log.lock.unlock();
        }
    }

    private static Event tombstoned(Event e, Instant at) {
        return new Event(e.id(), e.cursor(), e.timestamp(), e.type(), e.payload(), e.metadata(), e.role(), e.sessionId(),
                e.supersedes(), e.source(), Optional.of(at));
    }

    @Override
    public void range(String namespace, RangeQuery q, Consumer<Event> sink) {
        Log log = log(namespace);
        List<Event> out = new ArrayList<>();
        log.lock.lock();
        try {
            var view = q.reverse() ? log.events.descendingMap().values() : log.events.values();
            for (Event e : view) {
                if (q.limit() > 0 && out.size() >= q.limit()) {
                    break;
                }
                if (matches(e, q)) {
                    out.add(e);
                }
            }
        } finally {
            log.lock.unlock();
        }
        out.forEach(sink); // sent without the lock: a slow reader never blocks appends
    }

    private static boolean matches(Event e, RangeQuery q) {
        return e.cursor() > q.afterCursor()
                && (q.beforeCursor() == 0 || e.cursor() < q.beforeCursor())
                && q.afterTime().map(t -> e.timestamp().isAfter(t)).orElse(true)
                && q.beforeTime().map(t -> e.timestamp().isBefore(t)).orElse(true)
                && (q.includeDeleted() || e.deletedAt().isEmpty())
                && (q.sessionId().isEmpty() || q.sessionId().equals(e.sessionId()))
                && (q.role().isEmpty() || q.role().equals(e.role()))
                && (q.type().isEmpty() || q.type().equals(e.type()));
    }

    @Override
    public long lastCursor(String namespace) {
        Log log = log(namespace);
        log.lock.lock();
        try {
            return log.lastCursor;
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public void awaitAppend(String namespace, long cursor, Duration max) throws InterruptedException {
        Log log = log(namespace);
        log.lock.lock();
        try {
            if (log.lastCursor <= cursor) {
                log.appended.await(max.toNanos(), TimeUnit.NANOSECONDS);
            }
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public long expire(String namespace, ExpireQuery q) {
        Log log = log(namespace);
        log.lock.lock();
        try {
            Instant now = clock.instant();
            long affected = 0;
            var toDelete = new ArrayList<Event>();
            for (Event e : log.events.values()) {
                if (affected >= q.maxRows() || (q.beforeCursor() > 0 && e.cursor() >= q.beforeCursor())) {
                    break;
                }
                if (q.beforeTime().isPresent() && !e.timestamp().isBefore(q.beforeTime().get())) {
                    continue;
                }
                if (q.hard()) {
                    toDelete.add(e);
                    affected++;
                } else if (e.deletedAt().isEmpty()) {
                    log.events.put(e.cursor(), tombstoned(e, now));
                    affected++;
                }
            }
            for (Event e : toDelete) {
                log.events.remove(e.cursor());
                log.cursorOfId.remove(e.id());
                String key = log.dedupKeyOfId.remove(e.id());
                if (key != null) {
                    log.idOfDedupKey.remove(key);
                }
            }
            return affected;
        } finally {
            log.lock.unlock();
        }
    }

    @Override
    public List<String> namespaces() {
        return List.copyOf(logs.keySet());
    }
}
