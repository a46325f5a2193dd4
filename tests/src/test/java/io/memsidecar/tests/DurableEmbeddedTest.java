package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.client.Episodic;
import io.memsidecar.client.Graph;
import io.memsidecar.client.Kv;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.MemSidecarException;
import io.memsidecar.client.Semantic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded default keeps kv, episodic, lease, graph and semantic in SQLite under its data
 * directory: a SIGKILL in the middle of concurrent writes loses none that were acknowledged,
 * leaves the event log gap-free, and the next start goes on from there (semantic records written
 * after the last save of their graph are searchable again).
 */
class DurableEmbeddedTest {
    @Test
    void acknowledgedWritesSurviveAKillMidWrite(@TempDir Path data) throws Exception {
        var acknowledged = new ConcurrentHashMap<String, String>();
        var cursors = new ConcurrentSkipListSet<Long>();
        var notes = new ConcurrentSkipListSet<String>();
        long fence;
        try (var server = new EmbeddedDistribution(data);
             var client = MemSidecar.builder().target(server.target()).token(server.token).maxAttempts(1).build()) {
            fence = client.lease().acquire("locks", "job", Duration.ofMinutes(5)).fencingToken();
            client.graph().upsertNodes("knowledge", List.of(Graph.Node.of("paris", "City"), Graph.Node.of("france", "Country")));
            client.graph().upsertEdges("knowledge", List.of(Graph.Edge.of("e1", "CAPITAL_OF", "paris", "france")));
            var stop = new AtomicBoolean();
            var writers = new java.util.ArrayList<Thread>();
            writers.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    try {
                        client.semantic().upsert("notes", List.of(Semantic.Record.of("note-" + i, "note number " + i
                                + (i % 2 == 0 ? " about the harbour" : " about the mountains"))));
                        notes.add("note-" + i);
                    } catch (MemSidecarException e) {
                        return;
                    }
                }
            }));
            for (int w = 0; w < 4; w++) {
                int writer = w;
                writers.add(Thread.ofVirtual().start(() -> {
                    for (int i = 0; !stop.get(); i++) {
                        String key = "w" + writer + "-" + i;
                        try {
                            client.kv().put("default", key, "value of " + key);
                            acknowledged.put(key, "value of " + key);
                            cursors.add(client.episodic().append("events", Episodic.NewEvent.of("write", key)).cursor());
                        } catch (MemSidecarException e) {
                            return; // the server is gone
                        }
                    }
                }));
            }
            while (acknowledged.size() < 200 || notes.size() < 5) {
                Thread.sleep(10);
            }
            server.kill();
            stop.set(true);
            for (Thread t : writers) {
                t.join(30_000);
            }
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(200);

        try (var server = new EmbeddedDistribution(data);
             var client = MemSidecar.connect(server.target(), server.token)) {
            acknowledged.forEach((key, value) ->
                    assertThat(client.kv().get("default", key)).as(key).map(Kv.Entry::text).contains(value));
            List<Long> stored;
            try (var events = client.episodic().range("events", Episodic.RangeOptions.ALL)) {
                stored = events.map(Episodic.Event::cursor).toList();
            }
            assertThat(stored).as("every acknowledged append is there").containsAll(cursors);
            assertThat(stored).as("cursors are gap-free").isEqualTo(LongStream.rangeClosed(1, stored.size()).boxed().toList());
            assertThat(client.episodic().append("events", Episodic.NewEvent.of("after", "restart")).cursor())
                    .isEqualTo(stored.size() + 1);
            assertThat(client.lease().inspect("locks", "job")).as("the lease outlived the crash").isPresent();
            assertThat(client.kv().scan("default", Kv.ScanOptions.ALL).count()).isGreaterThanOrEqualTo(acknowledged.size());
            assertThat(client.lease().inspect("locks", "job").orElseThrow().fencingToken()).isEqualTo(fence);
            assertThat(client.graph().neighbors("knowledge", "paris", Graph.Walk.ALL).nodes()).extracting(Graph.Node::id)
                    .containsExactly("france");
            notes.forEach(id -> assertThat(client.semantic().get("notes", id)).as(id).isPresent());
            assertThat(client.semantic().search("notes", Semantic.Query.text("note number 0 about the harbour").withTopK(1)))
                    .extracting(h -> h.record().id()).containsExactly("note-0");
        }
    }
}
