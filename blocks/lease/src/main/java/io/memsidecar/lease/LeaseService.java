package io.memsidecar.lease;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Deadline;
import io.memsidecar.core.Limits;
import io.memsidecar.core.NamespaceTable;
import io.memsidecar.core.Op;
import io.memsidecar.core.OutageWindow;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.core.Require;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.lease.spi.AcquireResult;
import io.memsidecar.lease.spi.Lease;
import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.AcquireResponse;
import io.memsidecar.proto.lease.v1.InspectRequest;
import io.memsidecar.proto.lease.v1.InspectResponse;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import io.memsidecar.proto.lease.v1.ListRequest;
import io.memsidecar.proto.lease.v1.ListResponse;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.proto.lease.v1.ReleaseResponse;
import io.memsidecar.proto.lease.v1.RenewRequest;
import io.memsidecar.proto.lease.v1.RenewResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lease block (spec §2.6) plus fencing tokens. Acquire with {@code wait_for} waits on the
 * store's release signal, and retries when the holder's lease runs out by the backend's clock;
 * it never spins.
 */
public final class LeaseService {
    public static final String SERVICE = "memsidecar.lease.v1.Lease";
    public static final String BLOCK = "lease";
    public static final Op ACQUIRE = Op.write(BLOCK, "acquire");
    public static final Op RENEW = Op.write(BLOCK, "renew");
    public static final Op RELEASE = Op.write(BLOCK, "release");
    public static final Op INSPECT = Op.read(BLOCK, "inspect");
    public static final Op LIST = Op.read(BLOCK, "list");

    private static final int MAX_KEY_BYTES = 1024;
    /** How often a waiting Acquire looks at its caller's cancellation. */
    private static final Duration CANCEL_CHECK = Duration.ofMillis(250);

    private final NamespaceTable<LeaseNamespace> namespaces;
    private final Limits limits;
    private final Duration reconnectMax;

    /** {@code reconnectMax}: how long a waiter rides out a backend outage ({@code server.tail_reconnect_max}). */
    public LeaseService(Map<String, LeaseNamespace> namespaces, boolean tenantIsolation, Limits limits,
                        Duration reconnectMax) {
        this.namespaces = new NamespaceTable<>(BLOCK, namespaces, tenantIsolation);
        this.limits = limits;
        this.reconnectMax = reconnectMax;
    }

    public List<Route<?, ?>> routes() {
        return List.of(
                Route.unary(SERVICE, "Acquire", AcquireRequest.getDefaultInstance(), AcquireResponse.getDefaultInstance(),
                        ACQUIRE, r -> Scope.of(BLOCK, r.getNamespace()), this::acquire),
                Route.unary(SERVICE, "Renew", RenewRequest.getDefaultInstance(), RenewResponse.getDefaultInstance(),
                        RENEW, r -> Scope.of(BLOCK, r.getNamespace()), this::renew),
                Route.unary(SERVICE, "Release", ReleaseRequest.getDefaultInstance(), ReleaseResponse.getDefaultInstance(),
                        RELEASE, r -> Scope.of(BLOCK, r.getNamespace()), this::release),
                Route.unary(SERVICE, "Inspect", InspectRequest.getDefaultInstance(), InspectResponse.getDefaultInstance(),
                        INSPECT, r -> Scope.of(BLOCK, r.getNamespace()), this::inspect),
                Route.unary(SERVICE, "List", ListRequest.getDefaultInstance(), ListResponse.getDefaultInstance(),
                        LIST, r -> Scope.of(BLOCK, r.getNamespace()), this::list));
    }

    public AcquireResponse acquire(Call call, AcquireRequest request) {
        var t = namespaces.resolve(call, ACQUIRE, request.getNamespace());
        String key = key(request.getKey());
        Duration ttl = positive(request.hasTtl() ? ProtoTime.duration(request.getTtl()) : Duration.ZERO, "ttl");
        Duration waitFor = request.hasWaitFor() ? ProtoTime.duration(request.getWaitFor()) : Duration.ZERO;
        if (waitFor.isNegative()) {
            throw ApiException.invalidArgument("wait_for must not be negative");
        }
        var metadata = limits.metadata(request.getMetadataMap(), "metadata", 64);
        long deadline = System.nanoTime() + waitFor.toNanos();
        Deadline.allowWait(waitFor); // a waiter is a long-poll: request_timeout counts after its wait
        var outage = new OutageWindow(reconnectMax);
        while (true) {
            try {
                Optional<AcquireResponse> acquired = attempt(call, t, request, key, ttl, metadata, deadline);
                if (acquired.isPresent()) {
                    return acquired.get();
                }
                outage.up();
            } catch (ApiException e) {
                // A waiter rides out a backend outage within its wait; a plain try-acquire reports it.
                if (System.nanoTime() - deadline >= 0) {
                    throw e;
                }
                outage.down(e, call::isCancelled);
            }
            if (call.isCancelled()) { // woken by a release for a caller that is gone: leave the lease to others
                throw new ApiException(Code.CANCELLED, "acquire cancelled while waiting");
            }
        }
    }

    /** One try: the lease, or empty after waiting (at most until {@code deadline}) for a change. */
    private Optional<AcquireResponse> attempt(Call call, NamespaceTable.Target<LeaseNamespace> t, AcquireRequest request,
                                              String key, Duration ttl, Map<String, String> metadata, long deadline) {
        AcquireResult r = t.namespace().store().tryAcquire(t.storage(), key, ttl, metadata);
        if (r.lease().isPresent()) {
            Lease lease = r.lease().get();
            if (call.isCancelled()) {
                // The caller gave up (deadline or cancel) while this wait went on: nobody would hold
                // the lease until its TTL ran out, so it goes back at once.
                t.namespace().store().release(t.storage(), key, lease.holderId());
                throw new ApiException(Code.CANCELLED, "acquire cancelled while waiting");
            }
            return Optional.of(AcquireResponse.newBuilder().setHandle(handle(lease, request.getNamespace())).build());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw ApiException.failedPrecondition("lease " + request.getNamespace() + "/" + key + " already held");
        }
        if (call.isCancelled()) {
            throw new ApiException(Code.CANCELLED, "acquire cancelled while waiting");
        }
        Duration pause = min(Duration.ofNanos(left), min(r.heldFor().plusMillis(1), CANCEL_CHECK));
        try {
            t.namespace().store().awaitChange(t.storage(), key, pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(Code.CANCELLED, "acquire interrupted while waiting");
        }
        return Optional.empty();
    }

    public RenewResponse renew(Call call, RenewRequest request) {
        var t = namespaces.resolve(call, RENEW, request.getNamespace());
        Duration ttl = positive(request.hasTtl() ? ProtoTime.duration(request.getTtl()) : Duration.ZERO, "ttl");
        Lease lease = t.namespace().store().renew(t.storage(), key(request.getKey()), holder(request.getHolderId()), ttl);
        return RenewResponse.newBuilder().setHandle(handle(lease, request.getNamespace())).build();
    }

    public ReleaseResponse release(Call call, ReleaseRequest request) {
        var t = namespaces.resolve(call, RELEASE, request.getNamespace());
        boolean existed = t.namespace().store().release(t.storage(), key(request.getKey()), holder(request.getHolderId()));
        return ReleaseResponse.newBuilder().setExisted(existed).build();
    }

    public InspectResponse inspect(Call call, InspectRequest request) {
        var t = namespaces.resolve(call, INSPECT, request.getNamespace());
        return t.namespace().store().inspect(t.storage(), key(request.getKey()))
                .map(l -> InspectResponse.newBuilder().setHeld(true).setHandle(handle(l, request.getNamespace())).build())
                .orElse(InspectResponse.newBuilder().setHeld(false).build());
    }

    public ListResponse list(Call call, ListRequest request) {
        var t = namespaces.resolve(call, LIST, request.getNamespace());
        var b = ListResponse.newBuilder();
        t.namespace().store().list(t.storage()).forEach(l -> b.addLeases(handle(l, request.getNamespace())));
        return b.build();
    }

    /** The handle names the namespace as the caller did, never the tenant-qualified storage name. */
    private static LeaseHandle handle(Lease l, String namespace) {
        return LeaseHandle.newBuilder().setHolderId(l.holderId()).setNamespace(namespace).setKey(l.key())
                .setAcquiredAt(ProtoTime.timestamp(l.acquiredAt())).setExpiresAt(ProtoTime.timestamp(l.expiresAt()))
                .putAllMetadata(l.metadata()).setFencingToken(l.fencingToken()).build();
    }

    private static Duration positive(Duration d, String field) {
        if (d.isNegative() || d.isZero()) {
            throw ApiException.invalidArgument(field + " must be > 0");
        }
        return d;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static String key(String key) {
        return Require.identifier(key, "key", MAX_KEY_BYTES);
    }

    private static String holder(String holderId) {
        return Require.identifier(holderId, "holder_id", 128);
    }


}
