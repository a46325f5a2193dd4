package io.memsidecar.server.encryption;

import io.memsidecar.core.ApiException;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.episodic.spi.Event;
import io.memsidecar.episodic.spi.ExpireQuery;
import io.memsidecar.episodic.spi.NewEvent;
import io.memsidecar.episodic.spi.RangeQuery;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Encryption at rest around a namespace's store ({@code namespaces[].encrypt}): KV values and
 * episodic payloads are sealed before the driver sees them and opened on the way out; keys,
 * metadata, versions, cursors and expiry stay in plaintext (spec §10). A KV value is bound to
 * (kv, storage namespace, key); an episodic payload to (episodic, storage namespace), since its
 * cursor and id are only known after the append.
 */
public final class EncryptedStores {
    private EncryptedStores() {
    }

    public static KvStore kv(KvStore store, Keyring keyring) {
        return new KvStore() {
            private KvRecord open(String namespace, KvRecord r) {
                return r.withValue(keyring.open("kv", namespace, r.key(), r.value()));
            }

            private KvWrite seal(String namespace, String key, KvWrite write) {
                return write.withValue(keyring.seal("kv", namespace, key, write.value()));
            }

            @Override
            public Optional<KvRecord> get(String namespace, String key) {
                return store.get(namespace, key).map(r -> open(namespace, r));
            }

            @Override
            public List<KvRecord> multiGet(String namespace, Collection<String> keys) {
                return store.multiGet(namespace, keys).stream().map(r -> open(namespace, r)).toList();
            }

            @Override
            public KvRecord put(String namespace, String key, KvWrite write) {
                return store.put(namespace, key, seal(namespace, key, write)).withValue(write.value());
            }

            @Override
            public boolean delete(String namespace, String key, OptionalLong ifVersion) {
                return store.delete(namespace, key, ifVersion);
            }

            /** Puts sealed and gets opened as single-key calls are; a value compare cannot see through the seal. */
            @Override
            public KvTxn.Result txn(String namespace, KvTxn txn) {
                if (txn.compare().stream().anyMatch(c -> c.kind() == KvTxn.Compare.Kind.VALUE)) {
                    throw ApiException.invalidArgument("compare by value is not available on an encrypted namespace (each"
                            + " stored value is sealed with its own nonce); compare the version instead");
                }
                java.util.function.Function<List<KvTxn.Op>, List<KvTxn.Op>> seal = ops -> ops.stream()
                        .map(op -> op.kind() != KvTxn.Op.Kind.PUT ? op : KvTxn.Op.put(op.key(), seal(namespace, op.key(), op.write())))
                        .toList();
                KvTxn.Result result = store.txn(namespace, new KvTxn(txn.compare(), seal.apply(txn.success()),
                        seal.apply(txn.failure())));
                List<KvTxn.Op> branch = result.succeeded() ? txn.success() : txn.failure();
                var opened = new java.util.ArrayList<KvTxn.OpResult>();
                for (int i = 0; i < branch.size(); i++) {
                    KvTxn.OpResult r = result.results().get(i);
                    KvTxn.Op op = branch.get(i);
                    opened.add(new KvTxn.OpResult(r.kind(), r.record().map(rec -> op.kind() == KvTxn.Op.Kind.PUT
                            ? rec.withValue(op.write().value()) : open(namespace, rec)), r.existed()));
                }
                return new KvTxn.Result(result.succeeded(), opened, result.failedCompares());
            }

            @Override
            public void scan(String namespace, KvScan scan, Consumer<KvRecord> sink) {
                store.scan(namespace, scan, r -> sink.accept(open(namespace, r)));
            }

            @Override
            public OptionalLong size(String namespace) {
                return store.size(namespace);
            }

            @Override
            public Optional<io.memsidecar.kv.spi.KeyAccess> access(String namespace, String key) {
                return store.access(namespace, key);
            }
        };
    }

    public static EpisodicStore episodic(EpisodicStore store, Keyring keyring) {
        return new EpisodicStore() {
            private Event open(String namespace, Event e) {
                return new Event(e.id(), e.cursor(), e.timestamp(), e.type(), keyring.open("episodic", namespace, "", e.payload()),
                        e.metadata(), e.role(), e.sessionId(), e.supersedes(), e.source(), e.deletedAt());
            }

            @Override
            public Event append(String namespace, NewEvent event) {
                var sealed = new NewEvent(event.type(), keyring.seal("episodic", namespace, "", event.payload()), event.metadata(),
                        event.role(), event.sessionId(), event.dedupKey(), event.supersedes(), event.source());
                return open(namespace, store.append(namespace, sealed));
            }

            @Override
            public void range(String namespace, RangeQuery query, Consumer<Event> sink) {
                store.range(namespace, query, e -> sink.accept(open(namespace, e)));
            }

            @Override
            public long lastCursor(String namespace) {
                return store.lastCursor(namespace);
            }

            @Override
            public void awaitAppend(String namespace, long cursor, Duration max) throws InterruptedException {
                store.awaitAppend(namespace, cursor, max);
            }

            @Override
            public long expire(String namespace, ExpireQuery query) {
                return store.expire(namespace, query);
            }

            @Override
            public List<String> namespaces() {
                return store.namespaces();
            }
        };
    }
}
