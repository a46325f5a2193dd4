package io.memsidecar.episodic;

import com.google.protobuf.ByteString;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.OutageWindow;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.core.Sink;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.AppendResponse;
import io.memsidecar.proto.episodic.v1.ExpireAction;
import io.memsidecar.proto.episodic.v1.ExpireRequest;
import io.memsidecar.proto.episodic.v1.ExpireResponse;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The episodic block (spec §2.3). Tail is a loop over the store, not a buffer: it reads every
 * event after the last cursor it sent, in pages, then waits for the store's append signal. A
 * slow reader therefore never loses an event and never holds memory for one; replay and live
 * delivery are the same code path, so there is no gap or duplicate between them.
 */
public final class EpisodicService {
    public static final String SERVICE = "memsidecar.episodic.v1.Episodic";
    public static final String BLOCK = "episodic";
    public static final Op APPEND = Op.write(BLOCK, "append");
    public static final Op RANGE = Op.read(BLOCK, "range");
    public static final Op TAIL = Op.read(BLOCK, "tail");
    public static final Op EXPIRE = Op.write(BLOCK, "expire");

    private static final int TAIL_PAGE = 256;
    /** How long a tail waits for an append before it looks at its caller again. */
    private static final Duration TAIL_WAIT = Duration.ofSeconds(1);

    private final NamespaceTable<EpisodicNamespace> namespaces;
    private final Limits limits;
    private final Duration reconnectMax;
    private final java.util.concurrent.atomic.AtomicInteger tails = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean stopping;

    /** {@code reconnectMax}: how long a tail rides out a backend outage ({@code server.tail_reconnect_max}). */
    public EpisodicService(Map<String, EpisodicNamespace> namespaces, boolean tenantIsolation, Limits limits,
                           Duration reconnectMax) {
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
        this.limits = limits;
        this.reconnectMax = reconnectMax;
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.unary(SERVICE, "Append", AppendRequest.getDefaultInstance(), AppendResponse.getDefaultInstance(),
                        APPEND, r -> Scope.of(BLOCK, r.getNamespace()), this::append),
                Route.serverStreaming(SERVICE, "Range", io.memsidecar.proto.episodic.v1.RangeRequest.getDefaultInstance(),
                        io.memsidecar.proto.episodic.v1.Event.getDefaultInstance(), RANGE,
                        r -> Scope.of(BLOCK, r.getNamespace()).withSize("limit", r.getLimit()), this::range),
                Route.serverStreaming(SERVICE, "Tail", TailRequest.getDefaultInstance(),
                        io.memsidecar.proto.episodic.v1.Event.getDefaultInstance(), TAIL,
                        r -> Scope.of(BLOCK, r.getNamespace()), this::tail),
                Route.unary(SERVICE, "Expire", ExpireRequest.getDefaultInstance(), ExpireResponse.getDefaultInstance(),
                        EXPIRE, r -> Scope.of(BLOCK, r.getNamespace()), this::expire));
    }

    public AppendResponse append(Call call, AppendRequest r) {
        var t = namespaces.resolve(call, APPEND, r.getNamespace());
        if (r.getSupersedesCount() > 1000) {
            throw ApiException.invalidArgument("supersedes names more than 1000 events");
        }
        r.getSupersedesList().forEach(id -> Require.text(id, "supersedes", 128));
        var event = new NewEvent(Require.identifier(r.getType(), "type", 256), r.getPayload().toByteArray(),
                limits.metadata(r.getMetadataMap(), "metadata", 64), Require.text(r.getRole(), "role", 256),
                Require.text(r.getSessionId(), "session_id", 1024),
                r.getDedupKey().isEmpty() ? Optional.empty() : Optional.of(Require.text(r.getDedupKey(), "dedup_key", 1024)),
                r.getSupersedesList(), Require.text(r.getSource(), "source", 1024));
        return AppendResponse.newBuilder().setEvent(proto(t.namespace().store().append(t.storage(), event))).build();
    }

    public void range(Call call, io.memsidecar.proto.episodic.v1.RangeRequest r,
                      Sink<io.memsidecar.proto.episodic.v1.Event> sink) {
        var t = namespaces.resolve(call, RANGE, r.getNamespace());
        var q = new RangeQuery(r.getAfterCursor(), r.getBeforeCursor(), r.getLimit(), r.getReverse(),
                r.hasAfterTime() ? Optional.of(ProtoTime.instant(r.getAfterTime())) : Optional.empty(),
                r.hasBeforeTime() ? Optional.of(ProtoTime.instant(r.getBeforeTime())) : Optional.empty(),
                r.getIncludeDeleted(), r.getSessionId(), r.getRole(), r.getType());
        t.namespace().store().range(t.storage(), q, e -> sink.send(proto(e)));
    }

    /**
     * Streams events after the start cursor until the caller goes away: the live edge by
     * default, or {@code after_cursor} with {@code include_historical}. Tombstoned events are
     * delivered too (with {@code deleted_at}): a tail is the log as written.
     */
    public void tail(Call call, TailRequest r, Sink<io.memsidecar.proto.episodic.v1.Event> sink) {
        var t = namespaces.resolve(call, TAIL, r.getNamespace());
        tails.incrementAndGet();
        try {
            follow(call, r, t, sink);
        } finally {
            tails.decrementAndGet();
        }
    }

    /**
     * The server is shutting down: running tails end (normally, their stream complete) within
     * one wait of {@code TAIL_WAIT}, instead of holding the shutdown for its whole grace period —
     * a tail never finishes by itself.
     */
    public void stop() {
        stopping = true;
    }

    /** Tails running now, for the subscriber gauge. */
    public int activeTails() {
        return tails.get();
    }

    /**
     * Sends pages after the last cursor sent, then waits for an append. A backend outage does not end
     * the stream: the tail keeps its cursor and carries on when the backend is back (every event once,
     * in order), within {@code tail_reconnect_max}.
     */
    private void follow(Call call, TailRequest r, NamespaceTable.Target<EpisodicNamespace> t,
                        Sink<io.memsidecar.proto.episodic.v1.Event> sink) {
        EpisodicStore store = t.namespace().store();
        long[] sent = {r.getIncludeHistorical() ? r.getAfterCursor() : store.lastCursor(t.storage())};
        var outage = new OutageWindow(reconnectMax);
        while (!call.isCancelled() && !stopping) {
            int[] count = {0};
            try {
                store.range(t.storage(), RangeQuery.after(sent[0], TAIL_PAGE), e -> {
                    sink.send(proto(e));
                    sent[0] = e.cursor();
                    count[0]++;
                });
                if (count[0] < TAIL_PAGE) {
                    store.awaitAppend(t.storage(), sent[0], TAIL_WAIT);
                }
                outage.up();
            } catch (ApiException e) {
                outage.down(e, call::isCancelled);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiException(Code.CANCELLED, "tail interrupted");
            }
        }
    }

    public ExpireResponse expire(Call call, ExpireRequest r) {
        var t = namespaces.resolve(call, EXPIRE, r.getNamespace());
        if (r.getBeforeCursor() == 0 && !r.hasBeforeTime()) {
            throw ApiException.invalidArgument("expire window required: set before_cursor and/or before_time");
        }
        if (r.getMaxRows() == 0) {
            throw ApiException.invalidArgument("max_rows must be > 0");
        }
        if (r.getAction() != ExpireAction.EXPIRE_ACTION_SOFT_DELETE && r.getAction() != ExpireAction.EXPIRE_ACTION_HARD_DELETE) {
            throw ApiException.invalidArgument("action must be SOFT_DELETE or HARD_DELETE");
        }
        var q = new ExpireQuery(r.getBeforeCursor(),
                r.hasBeforeTime() ? Optional.of(ProtoTime.instant(r.getBeforeTime())) : Optional.empty(),
                r.getAction() == ExpireAction.EXPIRE_ACTION_HARD_DELETE, r.getMaxRows());
        return ExpireResponse.newBuilder().setAffected(t.namespace().store().expire(t.storage(), q)).build();
    }

    static io.memsidecar.proto.episodic.v1.Event proto(Event e) {
        var b = io.memsidecar.proto.episodic.v1.Event.newBuilder().setId(e.id()).setCursor(e.cursor())
                .setTimestamp(ProtoTime.timestamp(e.timestamp())).setType(e.type())
                .setPayload(ByteString.copyFrom(e.payload())).putAllMetadata(e.metadata()).setRole(e.role())
                .setSessionId(e.sessionId()).addAllSupersedes(e.supersedes()).setSource(e.source());
        e.deletedAt().ifPresent(d -> b.setDeletedAt(ProtoTime.timestamp(d)));
        return b.build();
    }

    /** The configured namespaces that have retention, for {@link RetentionSweeper}. */
    public List<EpisodicNamespace> withRetention() {
        return namespaces.all().stream().filter(n -> n.retention().isPresent()).toList();
    }

    public boolean tenantIsolation() {
        return namespaces.tenantIsolation();
    }


}
