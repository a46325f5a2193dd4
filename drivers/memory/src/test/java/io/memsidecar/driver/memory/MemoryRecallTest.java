package io.memsidecar.driver.memory;

import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.recall.RecallConformance;
import io.memsidecar.semantic.spi.SemanticStore;
import java.time.Clock;

class MemoryRecallTest extends RecallConformance {
    private final MemorySemanticStore semantic = new MemorySemanticStore(Clock.systemUTC());
    private final MemoryGraphStore graph = new MemoryGraphStore(Clock.systemUTC());

    @Override
    protected SemanticStore semanticStore() {
        return semantic;
    }

    @Override
    protected GraphStore graphStore() {
        return graph;
    }
}
