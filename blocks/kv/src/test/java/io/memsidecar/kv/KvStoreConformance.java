package io.memsidecar.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.kv.spi.KvRecord;
import io.memsidecar.kv.spi.KvScan;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.kv.spi.KvTxn;
import io.memsidecar.kv.spi.KvWrite;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The KV contract every driver passes (spec §2.2, §6.1, §14). A driver's test extends this class
 * and supplies the store and a way to move its clock forward.
 */
public abstract class KvStoreConformance {
    /** A fresh namespace per test, so tests never see each other's keys. */
    protected final String ns = "conf-" + UUID.randomUUID();

    protected abstract KvStore store();

    /** Makes {@code duration} pass for the TTLs of {@link #ns}, without sleeping. */
    protected abstract void advance(Duration duration);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(KvRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }

    private KvRecord put(String key, String value) {
        return store().put(ns, key, KvWrite.of(b(value)));
    }

    private List<String> scanKeys(KvScan scan) {
        var keys = new ArrayList<String>();
        store().scan(ns, scan, r -> keys.add(r.key()));
        return keys;
    }

    @Test
    void putGetDeleteRoundTripsValueContentTypeAndMetadata() {
        var write = KvWrite.of(b("hello")).withContentType("text/plain", Map.of("a", "1", "b", "2"));
        KvRecord stored = store().put(ns, "k", write);
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored.expiresAt()).isEmpty();

        KvRecord got = store().get(ns, "k").orElseThrow();
        assertThat(s(got)).isEqualTo("hello");
        assertThat(got.contentType()).isEqualTo("text/plain");
        assertThat(got.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
        assertThat(got.createdAt()).isEqualTo(stored.createdAt());

        assertThat(store().delete(ns, "k", OptionalLong.empty())).isTrue();
        assertThat(store().get(ns, "k")).isEmpty();
        assertThat(store().delete(ns, "k", OptionalLong.empty())).isFalse();
    }

    @Test
    void emptyValueIsStoredAndDistinctFromMissing() {
        store().put(ns, "empty", KvWrite.of(new byte[0]));
        assertThat(store().get(ns, "empty")).hasValueSatisfying(r -> assertThat(r.value()).isEmpty());
        assertThat(store().get(ns, "missing")).isEmpty();
    }

    @Test
    void overwriteBumpsVersionAndKeepsCreatedAt() {
        KvRecord first = put("k", "v1");
        advance(Duration.ofSeconds(1));
        KvRecord second = put("k", "v2");
        KvRecord third = put("k", "v3");
        assertThat(List.of(first.version(), second.version(), third.version())).containsExactly(1L, 2L, 3L);
        assertThat(third.createdAt()).isEqualTo(first.createdAt());
        assertThat(s(store().get(ns, "k").orElseThrow())).isEqualTo("v3");
    }

    @Test
    void namespacesAreIsolated() {
        put("k", "mine");
        String other = ns + "-other";
        assertThat(store().get(other, "k")).isEmpty();
        store().put(other, "k", KvWrite.of(b("theirs")));
        assertThat(s(store().get(ns, "k").orElseThrow())).isEqualTo("mine");
    }

    @Test
    void casPutWithZeroCreatesOnlyWhenMissing() {
        KvRecord created = store().put(ns, "k", KvWrite.of(b("a")).withIfVersion(0));
        assertThat(created.version()).isEqualTo(1);
        assertThatThrownBy(() -> store().put(ns, "k", KvWrite.of(b("b")).withIfVersion(0)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION);
                    assertThat(e.getMessage()).contains("version mismatch");
                });
        assertThat(s(store().get(ns, "k").orElseThrow())).isEqualTo("a");
    }

    @Test
    void casPutSucceedsOnMatchingVersionAndFailsOnStaleOne() {
        put("k", "a");
        KvRecord second = store().put(ns, "k", KvWrite.of(b("b")).withIfVersion(1));
        assertThat(second.version()).isEqualTo(2);
        assertThatThrownBy(() -> store().put(ns, "k", KvWrite.of(b("c")).withIfVersion(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThatThrownBy(() -> store().put(ns, "missing", KvWrite.of(b("c")).withIfVersion(3)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        KvRecord now = store().get(ns, "k").orElseThrow();
        assertThat(s(now)).isEqualTo("b");
        assertThat(now.version()).isEqualTo(2);
        assertThat(store().get(ns, "missing")).isEmpty();
    }

    @Test
    void casDeleteHonoursVersion() {
        assertThat(store().delete(ns, "missing", OptionalLong.of(0))).isFalse();
        assertThatThrownBy(() -> store().delete(ns, "missing", OptionalLong.of(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        put("k", "a");
        put("k", "b");
        assertThatThrownBy(() -> store().delete(ns, "k", OptionalLong.of(1)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThatThrownBy(() -> store().delete(ns, "k", OptionalLong.of(0)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION));
        assertThat(store().get(ns, "k")).isPresent();
        assertThat(store().delete(ns, "k", OptionalLong.of(2))).isTrue();
        assertThat(store().get(ns, "k")).isEmpty();
    }

    @Test
    void ttlExpiresKeyAndAnExpiredKeyCountsAsMissing() {
        KvRecord r = store().put(ns, "k", KvWrite.of(b("v")).withTtl(Duration.ofSeconds(10)));
        assertThat(r.expiresAt()).hasValueSatisfying(e ->
                assertThat(Duration.between(r.createdAt(), e)).isEqualTo(Duration.ofSeconds(10)));
        put("forever", "v");
        advance(Duration.ofSeconds(5));
        assertThat(store().get(ns, "k")).isPresent();
        advance(Duration.ofSeconds(6));
        assertThat(store().get(ns, "k")).isEmpty();
        assertThat(store().get(ns, "forever")).isPresent();
        assertThat(store().delete(ns, "k", OptionalLong.empty())).isFalse();

        KvRecord expiredOverwrite = store().put(ns, "k", KvWrite.of(b("again")).withTtl(Duration.ofSeconds(10)));
        advance(Duration.ofSeconds(11));
        KvRecord created = store().put(ns, "k", KvWrite.of(b("new")).withIfVersion(0));
        assertThat(expiredOverwrite.version()).isEqualTo(1);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.expiresAt()).isEmpty();
    }

    @Test
    void scanReturnsPrefixInByteOrderWithLimit() {
        for (String k : List.of("b/2", "a/1", "b/1", "b/10", "c/1", "b/\uD83D\uDE00", "b/\uFFFD")) {
            put(k, k);
        }
        assertThat(scanKeys(KvScan.prefix("b/")))
                .containsExactly("b/1", "b/10", "b/2", "b/\uFFFD", "b/\uD83D\uDE00");
        assertThat(scanKeys(new KvScan("b/", "", 2, true))).containsExactly("b/1", "b/10");
        assertThat(scanKeys(KvScan.prefix(""))).hasSize(7);
    }

    @Test
    void scanPaginatesWithStartAfterCursor() {
        for (int i = 0; i < 10; i++) {
            put("k" + i, "v");
        }
        put("j", "outside");
        var seen = new ArrayList<String>();
        String cursor = "";
        while (true) {
            List<String> page = scanKeys(new KvScan("k", cursor, 3, false));
            if (page.isEmpty()) {
                break;
            }
            seen.addAll(page);
            cursor = page.getLast();
        }
        assertThat(seen).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    }

    @Test
    void scanSkipsExpiredKeysAndCanOmitValues() {
        put("a", "1");
        store().put(ns, "b", KvWrite.of(b("2")).withTtl(Duration.ofSeconds(1)));
        put("c", "3");
        advance(Duration.ofSeconds(2));
        var records = new ArrayList<KvRecord>();
        store().scan(ns, new KvScan("", "", 0, false), records::add);
        assertThat(records).extracting(KvRecord::key).containsExactly("a", "c");
        assertThat(records).allSatisfy(r -> assertThat(r.value()).isEmpty());
        assertThat(records.getFirst().version()).isEqualTo(1);
    }

    @Test
    void scanStopsWhenTheConsumerFails() {
        for (int i = 0; i < 5; i++) {
            put("k" + i, "v");
        }
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> store().scan(ns, KvScan.prefix(""), r -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("client went away");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("client went away");
        assertThat(calls).hasValue(2);
    }

    @Test
    void multiGetReturnsLiveDistinctKeysSorted() {
        put("b", "2");
        put("a", "1");
        store().put(ns, "c", KvWrite.of(b("3")).withTtl(Duration.ofSeconds(1)));
        advance(Duration.ofSeconds(2));
        List<KvRecord> got = store().multiGet(ns, List.of("b", "missing", "a", "b", "c"));
        assertThat(got).extracting(KvRecord::key).containsExactly("a", "b");
        assertThat(got).extracting(KvStoreConformance::s).containsExactly("1", "2");
        assertThat(store().multiGet(ns, List.of())).isEmpty();
    }

    @Test
    void quotaRejectsNewKeysPastTheCapButAllowsOverwrites() {
        KvWrite capped = KvWrite.of(b("v")).withMaxItems(2);
        store().put(ns, "a", capped);
        store().put(ns, "b", capped);
        assertThatThrownBy(() -> store().put(ns, "c", capped))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED));
        assertThat(store().get(ns, "c")).isEmpty();
        assertThat(store().put(ns, "a", capped).version()).isEqualTo(2);
        store().delete(ns, "b", OptionalLong.empty());
        assertThat(store().put(ns, "c", capped).version()).isEqualTo(1);
    }

    @Test
    void quotaDoesNotCountExpiredKeys() {
        store().put(ns, "a", KvWrite.of(b("v")).withMaxItems(1).withTtl(Duration.ofSeconds(1)));
        advance(Duration.ofSeconds(2));
        assertThat(store().put(ns, "b", KvWrite.of(b("v")).withMaxItems(1)).version()).isEqualTo(1);
    }

    @Test
    void sizeCountsLiveKeys() {
        put("a", "1");
        put("b", "2");
        store().put(ns, "c", KvWrite.of(b("3")).withTtl(Duration.ofSeconds(1)));
        advance(Duration.ofSeconds(2));
        OptionalLong size = store().size(ns);
        if (size.isPresent()) {
            assertThat(size.getAsLong()).isEqualTo(2);
        }
    }

    @Test
    void concurrentPutsLoseNoIncrement() throws Exception {
        int writers = 50;
        int puts = 100;
        var start = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < writers; w++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < puts; i++) {
                        put("counter", "x");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        }
        assertThat(store().get(ns, "counter").orElseThrow().version()).isEqualTo((long) writers * puts);
    }

    @Test
    void exactlyOneOfRacingCasWritersWinsEachRound() throws Exception {
        int racers = 8;
        int rounds = 20;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < rounds; round++) {
                long expected = round;
                var start = new CountDownLatch(1);
                var futures = new ArrayList<Future<Boolean>>();
                for (int i = 0; i < racers; i++) {
                    String value = "r" + round + "-w" + i;
                    futures.add(pool.submit(() -> {
                        start.await();
                        try {
                            store().put(ns, "cas", KvWrite.of(b(value)).withIfVersion(expected));
                            return true;
                        } catch (ApiException e) {
                            assertThat(e.code()).isEqualTo(Code.FAILED_PRECONDITION);
                            return false;
                        }
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> f : futures) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("winners in round %d", round).isEqualTo(1);
                assertThat(store().get(ns, "cas").orElseThrow().version()).isEqualTo(round + 1L);
            }
        }
    }

    // --- KV.Txn (issue: multi-key transactions) ---

    private KvTxn.Result txn(List<KvTxn.Compare> compare, List<KvTxn.Op> success, List<KvTxn.Op> failure) {
        return store().txn(ns, new KvTxn(compare, success, failure));
    }

    @Test
    void txnRunsTheSuccessOpsWhenEveryCompareKindHolds() {
        put("a", "1");
        put("a", "2");
        put("gone", "x");
        var r = txn(List.of(KvTxn.Compare.version("a", 2), KvTxn.Compare.value("a", b("2")), KvTxn.Compare.present("a"),
                        KvTxn.Compare.absent("b"), KvTxn.Compare.version("b", 0)),
                List.of(KvTxn.Op.put("b", KvWrite.of(b("new")).withContentType("text/plain", Map.of("m", "1"))),
                        KvTxn.Op.put("a", KvWrite.of(b("3"))), KvTxn.Op.delete("gone"), KvTxn.Op.get("c"), KvTxn.Op.delete("never")),
                List.of(KvTxn.Op.put("failed", KvWrite.of(b("no")))));
        assertThat(r.succeeded()).isTrue();
        assertThat(r.failedCompares()).isEmpty();
        assertThat(r.results()).extracting(KvTxn.OpResult::kind).containsExactly(KvTxn.Op.Kind.PUT, KvTxn.Op.Kind.PUT,
                KvTxn.Op.Kind.DELETE, KvTxn.Op.Kind.GET, KvTxn.Op.Kind.DELETE);
        assertThat(r.results().get(0).record().orElseThrow().version()).isEqualTo(1);
        assertThat(r.results().get(1).record().orElseThrow().version()).as("an overwrite bumps the version").isEqualTo(3);
        assertThat(r.results().get(2).existed()).isTrue();
        assertThat(r.results().get(3).record()).isEmpty();
        assertThat(r.results().get(4).existed()).isFalse();
        KvRecord b = store().get(ns, "b").orElseThrow();
        assertThat(s(b)).isEqualTo("new");
        assertThat(b.contentType()).isEqualTo("text/plain");
        assertThat(b.metadata()).containsEntry("m", "1");
        assertThat(s(store().get(ns, "a").orElseThrow())).isEqualTo("3");
        assertThat(store().get(ns, "gone")).isEmpty();
        assertThat(store().get(ns, "failed")).isEmpty();
    }

    @Test
    void txnRunsTheFailureOpsAndNamesEveryCompareThatDidNotHold() {
        put("a", "1");
        put("b", "x");
        var r = txn(List.of(KvTxn.Compare.version("a", 1), KvTxn.Compare.version("a", 7), KvTxn.Compare.absent("b"),
                        KvTxn.Compare.value("a", b("other")), KvTxn.Compare.present("missing")),
                List.of(KvTxn.Op.put("a", KvWrite.of(b("won")))),
                List.of(KvTxn.Op.get("a"), KvTxn.Op.get("b"), KvTxn.Op.put("lost", KvWrite.of(b("l")))));
        assertThat(r.succeeded()).isFalse();
        assertThat(r.failedCompares()).containsExactly(1, 2, 3, 4);
        assertThat(r.results()).hasSize(3);
        assertThat(s(r.results().get(0).record().orElseThrow())).isEqualTo("1");
        assertThat(r.results().get(0).record().orElseThrow().version()).isEqualTo(1);
        assertThat(s(r.results().get(1).record().orElseThrow())).isEqualTo("x");
        assertThat(s(store().get(ns, "a").orElseThrow())).as("the success ops did not run").isEqualTo("1");
        assertThat(store().get(ns, "lost").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void txnCountsExpiredKeysAsAbsentAndGivesPutsTheirTtl() {
        store().put(ns, "old", KvWrite.of(b("v")).withTtl(Duration.ofSeconds(1)));
        store().put(ns, "old", KvWrite.of(b("v")).withTtl(Duration.ofSeconds(1)));
        advance(Duration.ofSeconds(2));
        var r = txn(List.of(KvTxn.Compare.absent("old"), KvTxn.Compare.version("old", 0)),
                List.of(KvTxn.Op.put("old", KvWrite.of(b("again"))), KvTxn.Op.put("short", KvWrite.of(b("s")).withTtl(Duration.ofSeconds(5)))),
                List.of());
        assertThat(r.succeeded()).isTrue();
        assertThat(r.results().get(0).record().orElseThrow().version()).as("an expired key starts again at 1").isEqualTo(1);
        assertThat(r.results().get(1).record().orElseThrow().expiresAt()).isPresent();
        assertThat(store().get(ns, "short")).isPresent();
        advance(Duration.ofSeconds(6));
        assertThat(store().get(ns, "short")).isEmpty();
        assertThat(store().get(ns, "old")).as("no TTL").isPresent();
    }

    @Test
    void txnPastTheQuotaAppliesNothing() {
        store().put(ns, "a", KvWrite.of(b("1")).withMaxItems(3));
        store().put(ns, "b", KvWrite.of(b("1")).withMaxItems(3));
        assertThatThrownBy(() -> txn(List.of(),
                List.of(KvTxn.Op.put("a", KvWrite.of(b("2")).withMaxItems(3)), KvTxn.Op.put("c", KvWrite.of(b("new")).withMaxItems(3)),
                        KvTxn.Op.delete("b"), KvTxn.Op.put("d", KvWrite.of(b("new")).withMaxItems(3)),
                        KvTxn.Op.put("e", KvWrite.of(b("over")).withMaxItems(3))),
                List.of()))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(Code.RESOURCE_EXHAUSTED));
        assertThat(store().get(ns, "a").orElseThrow().version()).as("the writes before the refusal were undone").isEqualTo(1);
        assertThat(store().get(ns, "b")).isPresent();
        assertThat(store().get(ns, "c")).isEmpty();
        assertThat(store().get(ns, "d")).isEmpty();
        // a delete earlier in the branch frees its place, as it would between single-key calls
        var r = txn(List.of(), List.of(KvTxn.Op.delete("b"), KvTxn.Op.put("c", KvWrite.of(b("new")).withMaxItems(3)),
                KvTxn.Op.put("d", KvWrite.of(b("new")).withMaxItems(3))), List.of());
        assertThat(r.succeeded()).isTrue();
        assertThat(store().multiGet(ns, List.of("a", "b", "c", "d"))).extracting(KvRecord::key).containsExactly("a", "c", "d");
    }

    @Test
    void exactlyOneOfRacingTransactionsCreatesAnAbsentKey() throws Exception {
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 10; round++) {
                String key = "claim" + round;
                var start = new CountDownLatch(1);
                var futures = new ArrayList<Future<Boolean>>();
                for (int i = 0; i < 8; i++) {
                    String owner = "w" + i;
                    futures.add(pool.submit(() -> {
                        start.await();
                        return txn(List.of(KvTxn.Compare.absent(key)),
                                List.of(KvTxn.Op.put(key, KvWrite.of(b(owner))), KvTxn.Op.put("owner:" + owner + ":" + key,
                                        KvWrite.of(b(key)))), List.of()).succeeded();
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> f : futures) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("winners of %s", key).isEqualTo(1);
                String owner = s(store().get(ns, key).orElseThrow());
                assertThat(store().get(ns, "owner:" + owner + ":" + key)).as("the winner's second put").isPresent();
                assertThat(store().get(ns, key).orElseThrow().version()).isEqualTo(1);
            }
        }
    }

    /**
     * The bank: accounts moved between by transactions that compare both versions and put both
     * balances, while readers read every account in one transaction of gets: every read sees
     * the same total, and every acknowledged transfer is in the final balances exactly once.
     */
    @Test
    void bankTransfersKeepTheTotal() throws Exception {
        int accounts = 5;
        long initial = 100;
        for (int i = 0; i < accounts; i++) {
            put("acct" + i, Long.toString(initial));
        }
        var reads = new java.util.concurrent.atomic.AtomicInteger();
        var moved = new java.util.concurrent.ConcurrentHashMap<Integer, java.util.concurrent.atomic.AtomicLong>();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var reading = new CountDownLatch(1); // transfers start once the readers are reading (a fast driver ends them in ms)
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<Future<?>>();
            for (int w = 0; w < 6; w++) {
                int seed = w;
                futures.add(pool.submit(() -> {
                    reading.await();
                    var random = new java.util.Random(seed);
                    for (int i = 0; i < 60; i++) {
                        int from = random.nextInt(accounts);
                        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
                        long amount = 1 + random.nextInt(5);
                        var got = txn(List.of(), List.of(KvTxn.Op.get("acct" + from), KvTxn.Op.get("acct" + to)), List.of());
                        KvRecord a = got.results().get(0).record().orElseThrow();
                        KvRecord c = got.results().get(1).record().orElseThrow();
                        long fromBalance = Long.parseLong(s(a));
                        if (fromBalance < amount) {
                            continue;
                        }
                        var r = txn(List.of(KvTxn.Compare.version(a.key(), a.version()), KvTxn.Compare.version(c.key(), c.version())),
                                List.of(KvTxn.Op.put(a.key(), KvWrite.of(b(Long.toString(fromBalance - amount)))),
                                        KvTxn.Op.put(c.key(), KvWrite.of(b(Long.toString(Long.parseLong(s(c)) + amount))))),
                                List.of());
                        if (r.succeeded()) {
                            moved.computeIfAbsent(from, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(-amount);
                            moved.computeIfAbsent(to, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(amount);
                        }
                    }
                    return null;
                }));
            }
            for (int reader = 0; reader < 2; reader++) {
                futures.add(pool.submit(() -> {
                    while (!stop.get()) {
                        var gets = new ArrayList<KvTxn.Op>();
                        for (int i = 0; i < accounts; i++) {
                            gets.add(KvTxn.Op.get("acct" + i));
                        }
                        long total = txn(List.of(), gets, List.of()).results().stream()
                                .mapToLong(o -> Long.parseLong(s(o.record().orElseThrow()))).sum();
                        assertThat(total).as("a read of every account in one transaction").isEqualTo(accounts * initial);
                        reads.incrementAndGet();
                        reading.countDown();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures.subList(0, 6)) {
                f.get();
            }
            stop.set(true);
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long total = 0;
        for (int i = 0; i < accounts; i++) {
            long balance = Long.parseLong(s(store().get(ns, "acct" + i).orElseThrow()));
            long delta = moved.containsKey(i) ? moved.get(i).get() : 0;
            assertThat(balance).as("acct%d: every acknowledged transfer once", i).isEqualTo(initial + delta);
            total += balance;
        }
        assertThat(total).isEqualTo(accounts * initial);
        assertThat(reads.get()).isPositive();
        assertThat(moved).isNotEmpty();
    }
}
