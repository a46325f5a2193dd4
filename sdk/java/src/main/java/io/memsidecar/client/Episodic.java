package io.memsidecar.client;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.ExpireAction;
import io.memsidecar.proto.episodic.v1.ExpireRequest;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.stream.Stream;

/** Event logs (spec §2.3): append, ranges in cursor order, a live tail, expiry. */
public final class Episodic {
    private final MemSidecar client;

    Episodic(MemSidecar client) {
        this.client = client;
    }

    public record Event(String id, long cursor, Instant timestamp, String type, byte[] payload, Map<String, String> metadata,
                        String role, String sessionId, List<String> supersedes, String source, Optional<Instant> deletedAt) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** An event to append: {@code NewEvent.of("message", "hello").withRole("user").withSession("s1")}. */
    public record NewEvent(String type, byte[] payload, Map<String, String> metadata, String role, String sessionId,
                           String dedupKey, List<String> supersedes, String source) {
        public static NewEvent of(String type, String payload) {
            return new NewEvent(type, payload.getBytes(StandardCharsets.UTF_8), Map.of(), "", "", "", List.of(), "");
        }

        public NewEvent withRole(String r) {
            return new NewEvent(type, payload, metadata, r, sessionId, dedupKey, supersedes, source);
        }

        public NewEvent withSession(String s) {
            return new NewEvent(type, payload, metadata, role, s, dedupKey, supersedes, source);
        }

        public NewEvent withMetadata(Map<String, String> m) {
            return new NewEvent(type, payload, Map.copyOf(m), role, sessionId, dedupKey, supersedes, source);
        }

        /** Appended once per key: a retry with the same key returns the first event. */
        public NewEvent withDedupKey(String k) {
            return new NewEvent(type, payload, metadata, role, sessionId, k, supersedes, source);
        }

        public NewEvent withSupersedes(List<String> ids) {
            return new NewEvent(type, payload, metadata, role, sessionId, dedupKey, List.copyOf(ids), source);
        }

        public NewEvent withSource(String s) {
            return new NewEvent(type, payload, metadata, role, sessionId, dedupKey, supersedes, s);
        }
    }

    /** A range query: {@code RangeOptions.ALL.withSession("s1").withLimit(20)}; cursors are exclusive. */
    public record RangeOptions(long afterCursor, long beforeCursor, int limit, boolean reverse, Optional<Instant> afterTime,
                               Optional<Instant> beforeTime, boolean includeDeleted, String sessionId, String role, String type) {
        public static final RangeOptions ALL = new RangeOptions(0, 0, 0, false, Optional.empty(), Optional.empty(), false, "", "", "");

        public RangeOptions withAfterCursor(long c) {
            return new RangeOptions(c, beforeCursor, limit, reverse, afterTime, beforeTime, includeDeleted, sessionId, role, type);
        }

        public RangeOptions withBeforeCursor(long c) {
            return new RangeOptions(afterCursor, c, limit, reverse, afterTime, beforeTime, includeDeleted, sessionId, role, type);
        }

        public RangeOptions withLimit(int n) {
            return new RangeOptions(afterCursor, beforeCursor, n, reverse, afterTime, beforeTime, includeDeleted, sessionId, role, type);
        }

        /** Newest first (with a limit of 1: the latest event). */
        public RangeOptions reversed() {
            return new RangeOptions(afterCursor, beforeCursor, limit, true, afterTime, beforeTime, includeDeleted, sessionId, role, type);
        }

        public RangeOptions withTimes(Optional<Instant> after, Optional<Instant> before) {
            return new RangeOptions(afterCursor, beforeCursor, limit, reverse, after, before, includeDeleted, sessionId, role, type);
        }

        public RangeOptions withDeleted() {
            return new RangeOptions(afterCursor, beforeCursor, limit, reverse, afterTime, beforeTime, true, sessionId, role, type);
        }

        public RangeOptions withSession(String s) {
            return new RangeOptions(afterCursor, beforeCursor, limit, reverse, afterTime, beforeTime, includeDeleted, s, role, type);
        }

        public RangeOptions withRole(String r) {
            return new RangeOptions(afterCursor, beforeCursor, limit, reverse, afterTime, beforeTime, includeDeleted, sessionId, r, type);
        }

        public RangeOptions withType(String t) {
            return new RangeOptions(afterCursor, beforeCursor, limit, reverse, afterTime, beforeTime, includeDeleted, sessionId, role, t);
        }
    }

    public Event append(String namespace, NewEvent event) {
        var r = Calls.call(() -> client.unary(EpisodicGrpc::newBlockingStub).append(AppendRequest.newBuilder()
                .setNamespace(namespace).setType(event.type()).setPayload(ByteString.copyFrom(event.payload()))
                .putAllMetadata(event.metadata()).setRole(event.role()).setSessionId(event.sessionId())
                .setDedupKey(event.dedupKey()).addAllSupersedes(event.supersedes()).setSource(event.source()).build()));
        return event(r.getEvent());
    }

    /** Stored events in cursor order (or reversed), streamed; close the stream to stop early. */
    public Stream<Event> range(String namespace, RangeOptions o) {
        var b = RangeRequest.newBuilder().setNamespace(namespace).setAfterCursor(o.afterCursor()).setBeforeCursor(o.beforeCursor())
                .setLimit(o.limit()).setReverse(o.reverse()).setIncludeDeleted(o.includeDeleted()).setSessionId(o.sessionId())
                .setRole(o.role()).setType(o.type());
        o.afterTime().ifPresent(t -> b.setAfterTime(Calls.timestamp(t)));
        o.beforeTime().ifPresent(t -> b.setBeforeTime(Calls.timestamp(t)));
        return Calls.stream(() -> EpisodicGrpc.newBlockingStub(client.channel()).range(b.build()), Episodic::event);
    }

    /**
     * Follows the log live: events after {@code afterCursor} (the stored ones first when
     * {@code includeHistorical}), then each new one as it is appended, until the subscription is
     * closed — from any thread, which ends a blocked {@code hasNext()} with {@code false}.
     */
    public Subscription tail(String namespace, long afterCursor, boolean includeHistorical) {
        return new Subscription(client, TailRequest.newBuilder().setNamespace(namespace).setAfterCursor(afterCursor)
                .setIncludeHistorical(includeHistorical).build());
    }

    /** Soft- or hard-deletes events before a cursor or time; returns how many. */
    public long expire(String namespace, long beforeCursor, Optional<Instant> beforeTime, boolean hard, int maxRows) {
        var b = ExpireRequest.newBuilder().setNamespace(namespace).setBeforeCursor(beforeCursor).setMaxRows(maxRows)
                .setAction(hard ? ExpireAction.EXPIRE_ACTION_HARD_DELETE : ExpireAction.EXPIRE_ACTION_SOFT_DELETE);
        beforeTime.ifPresent(t -> b.setBeforeTime(Calls.timestamp(t)));
        return Calls.call(() -> client.unary(EpisodicGrpc::newBlockingStub).expire(b.build())).getAffected();
    }

    /** A live tail: an iterator of events that ends when closed. */
    public static final class Subscription implements Iterator<Event>, AutoCloseable {
        private final Context.CancellableContext context = Context.current().withCancellation();
        private final Iterator<io.memsidecar.proto.episodic.v1.Event> events;
        private volatile boolean closed;

        private Subscription(MemSidecar client, TailRequest request) {
            Context previous = context.attach();
            try {
                events = Calls.call(() -> EpisodicGrpc.newBlockingStub(client.channel()).tail(request));
            } finally {
                context.detach(previous);
            }
        }

        /** Waits for the next event; {@code false} once closed. */
        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            try {
                return events.hasNext();
            } catch (StatusRuntimeException e) {
                if (closed && e.getStatus().getCode() == Status.Code.CANCELLED) {
                    return false;
                }
                throw MemSidecarException.of(e);
            }
        }

        @Override
        public Event next() {
            if (!hasNext()) {
                throw new NoSuchElementException("the tail is closed");
            }
            return event(events.next());
        }

        /** Cancels the call; a thread blocked in {@link #hasNext()} returns {@code false}. */
        @Override
        public void close() {
            closed = true;
            context.cancel(null);
        }
    }

    static Event event(io.memsidecar.proto.episodic.v1.Event e) {
        return new Event(e.getId(), e.getCursor(), Calls.instant(e.getTimestamp()), e.getType(), e.getPayload().toByteArray(),
                e.getMetadataMap(), e.getRole(), e.getSessionId(), e.getSupersedesList(), e.getSource(),
                Calls.optional(e.hasDeletedAt(), e.getDeletedAt()));
    }
}
