package io.memsidecar.client;

import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.InspectRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import io.memsidecar.proto.lease.v1.ListRequest;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.proto.lease.v1.RenewRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Locks with fencing tokens (spec §2.6). {@link #acquire} returns a {@link Lease} that renews
 * itself in the background until closed, which releases it:
 *
 * <pre>{@code
 * try (Lease lease = memory.lease().acquire("locks", "finalize-s1", Duration.ofSeconds(30))) {
 *     write(lease.fencingToken());   // storage rejects writes with an older token
 * }
 * }</pre>
 */
public final class Leases {
    private final MemSidecar client;

    Leases(MemSidecar client) {
        this.client = client;
    }

    /** A lease as the server holds it. */
    public record Info(String holderId, String namespace, String key, long fencingToken, Instant acquiredAt, Instant expiresAt,
                       Map<String, String> metadata) {
    }

    /** Takes the lease now, or fails with {@link PreconditionFailedException} if another holds it. */
    public Lease acquire(String namespace, String key, Duration ttl) {
        return acquire(namespace, key, ttl, Duration.ZERO, Map.of());
    }

    /** Waits up to {@code waitFor} for a held lease to be released or to expire. */
    public Lease acquire(String namespace, String key, Duration ttl, Duration waitFor, Map<String, String> metadata) {
        var r = Calls.call(() -> LeaseGrpc.newBlockingStub(client.channel())
                .withDeadlineAfter(client.deadline().plus(waitFor).toMillis(), TimeUnit.MILLISECONDS)
                .acquire(AcquireRequest.newBuilder().setNamespace(namespace).setKey(key).setTtl(Calls.duration(ttl))
                        .setWaitFor(Calls.duration(waitFor)).putAllMetadata(metadata).build()));
        return new Lease(this, info(r.getHandle()), ttl);
    }

    /** @throws PreconditionFailedException when {@code holderId} no longer holds it */
    public Info renew(String holderId, String namespace, String key, Duration ttl) {
        return info(Calls.call(() -> client.unary(LeaseGrpc::newBlockingStub).renew(RenewRequest.newBuilder().setHolderId(holderId)
                .setNamespace(namespace).setKey(key).setTtl(Calls.duration(ttl)).build())).getHandle());
    }

    /** Whether {@code holderId} held it. */
    public boolean release(String holderId, String namespace, String key) {
        return Calls.call(() -> client.unary(LeaseGrpc::newBlockingStub).release(ReleaseRequest.newBuilder()
                .setHolderId(holderId).setNamespace(namespace).setKey(key).build())).getExisted();
    }

    public Optional<Info> inspect(String namespace, String key) {
        var r = Calls.call(() -> client.unary(LeaseGrpc::newBlockingStub).inspect(InspectRequest.newBuilder()
                .setNamespace(namespace).setKey(key).build()));
        return r.getHeld() ? Optional.of(info(r.getHandle())) : Optional.empty();
    }

    public List<Info> list(String namespace) {
        return Calls.call(() -> client.unary(LeaseGrpc::newBlockingStub).list(ListRequest.newBuilder().setNamespace(namespace)
                .build())).getLeasesList().stream().map(Leases::info).toList();
    }

    private static Info info(LeaseHandle h) {
        return new Info(h.getHolderId(), h.getNamespace(), h.getKey(), h.getFencingToken(), Calls.instant(h.getAcquiredAt()),
                Calls.instant(h.getExpiresAt()), h.getMetadataMap());
    }

    /**
     * A held lease. A virtual thread renews it every third of its TTL; if a renewal fails the
     * lease is {@linkplain #lost() lost} (stop using its fencing token). {@link #close()} stops
     * renewing and releases it.
     */
    public static final class Lease implements AutoCloseable {
        private final Leases leases;
        private final Duration ttl;
        private final Thread renewer;
        private volatile Info info;
        private volatile MemSidecarException lost;
        private volatile boolean closed;

        private Lease(Leases leases, Info info, Duration ttl) {
            this.leases = leases;
            this.info = info;
            this.ttl = ttl;
            this.renewer = Thread.ofVirtual().name("memsidecar-lease-" + info.key()).start(this::renewLoop);
        }

        private void renewLoop() {
            long every = Math.max(1, ttl.toMillis() / 3);
            while (!closed) {
                try {
                    Thread.sleep(every);
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                try {
                    info = leases.renew(info.holderId(), info.namespace(), info.key(), ttl);
                } catch (UnavailableException e) {
                    // transient: the next attempt may still land before the TTL ends
                } catch (MemSidecarException e) {
                    lost = e;
                    return;
                }
            }
        }

        public String holderId() {
            return info.holderId();
        }

        /** Pass it with every write the lease protects; it grows with every acquisition of the key. */
        public long fencingToken() {
            return info.fencingToken();
        }

        /** When it expires unless renewed (moves with every renewal). */
        public Instant expiresAt() {
            return info.expiresAt();
        }

        public Info info() {
            return info;
        }

        /** Why the lease was lost (a renewal refused), if it was. */
        public Optional<MemSidecarException> lost() {
            return Optional.ofNullable(lost);
        }

        /** Stops renewing and releases it (a lease that was lost or expired is simply gone). */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            renewer.interrupt();
            try {
                renewer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            leases.release(info.holderId(), info.namespace(), info.key());
        }
    }
}
