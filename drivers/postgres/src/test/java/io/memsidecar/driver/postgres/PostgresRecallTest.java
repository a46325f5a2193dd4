package io.memsidecar.driver.postgres;

import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.recall.RecallConformance;
import io.memsidecar.semantic.spi.SemanticStore;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresRecallTest extends RecallConformance {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    @Override
    protected SemanticStore semanticStore() {
        return DB.backend().store(SemanticStore.class).orElseThrow();
    }

    @Override
    protected GraphStore graphStore() {
        return DB.backend().store(GraphStore.class).orElseThrow();
    }
}
