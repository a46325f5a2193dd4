package io.memsidecar.episodic.spi;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The episodic driver SPI: an append-only log per namespace. Cursors strictly increase per
 * namespace, are never reused (also after a hard delete), and become visible in cursor order:
 * once an event with cursor N is visible, no event with a smaller cursor appears later. That is
 * what makes "read everything after my last cursor" a gap-free tail.
 */
public interface EpisodicStore {
    /**
     * Appends atomically: assigns the next cursor and the timestamp, tombstones the live events
     * named in {@code supersedes} (same namespace, not itself) at that timestamp. With a dedup key
     * already used in the namespace, writes nothing, uses no cursor and returns the stored event.
     */
    Event append(String namespace, NewEvent event);

    /** Sends the matching events to {@code sink}; an exception from the sink stops the range. */
    void range(String namespace, RangeQuery query, Consumer<Event> sink);

    /** The highest cursor ever assigned in the namespace (0 when none). */
    long lastCursor(String namespace);

    /**
     * Blocks until an event may have been appended to the namespace after {@code cursor} (on
     * this or another sidecar) or {@code max} passes. Spurious returns are allowed.
     */
    void awaitAppend(String namespace, long cursor, Duration max) throws InterruptedException;

    /** Soft- or hard-deletes the oldest matching events; returns how many changed. */
    long expire(String namespace, ExpireQuery query);

    /** The storage namespaces that hold events (for retention under tenant isolation). */
    List<String> namespaces();
}
