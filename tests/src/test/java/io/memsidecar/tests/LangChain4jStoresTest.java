package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.EmbeddingStoreWithFilteringIT;
import dev.langchain4j.store.embedding.EmbeddingStoreWithRemovalIT;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.langchain4j.MemSidecarChatMemoryStore;
import io.memsidecar.langchain4j.MemSidecarEmbeddingStore;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The LangChain4j integration against a real server: LangChain4j's own EmbeddingStore suites
 * (adding, scores, typed metadata, every filter, removal) on {@link MemSidecarEmbeddingStore},
 * and {@link MemSidecarChatMemoryStore} behind a {@code MessageWindowChatMemory}.
 */
class LangChain4jStoresTest {
    private static final EmbeddingModel MODEL = new AllMiniLmL6V2QuantizedEmbeddingModel();
    private static TestServer server;
    private static MemSidecar client;

    @BeforeAll
    static void start() {
        server = new TestServer("""
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                  - { block: semantic, name: lc4j, backend: mem, embedder: { provider: fake, dimensions: 384 } }
                  - { block: semantic, name: lc4j-removal, backend: mem, embedder: { provider: fake, dimensions: 384 } }
                  - { block: semantic, name: lc4j-extra, backend: mem, embedder: { provider: fake, dimensions: 384 } }
                  - { block: kv, name: chats, backend: mem }
                """, "");
        client = MemSidecar.connect("127.0.0.1:" + server.port(), server.fullToken());
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class LangChain4jFilteringSuite extends EmbeddingStoreWithFilteringIT {
        private final MemSidecarEmbeddingStore store = new MemSidecarEmbeddingStore(client, "lc4j");

        @Override
        protected EmbeddingStore<TextSegment> embeddingStore() {
            return store;
        }

        @Override
        protected EmbeddingModel embeddingModel() {
            return MODEL;
        }

        @Override
        protected void clearStore() {
            store.removeAll();
        }

        /** ContainsString is evaluated on the client, with LangChain4j's own semantics. */
        @Override
        protected boolean supportsContains() {
            return true;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class LangChain4jRemovalSuite extends EmbeddingStoreWithRemovalIT {
        private final MemSidecarEmbeddingStore store = new MemSidecarEmbeddingStore(client, "lc4j-removal");

        /** The suite expects an empty store at every test (its own stores clear themselves so). */
        @BeforeEach
        void clear() {
            store.removeAll();
        }

        @Override
        protected EmbeddingStore<TextSegment> embeddingStore() {
            return store;
        }

        @Override
        protected EmbeddingModel embeddingModel() {
            return MODEL;
        }
    }

    @Test
    void chatMemoryPersistsThroughTheSidecar() {
        var store = new MemSidecarChatMemoryStore(client, "chats");
        var memory = MessageWindowChatMemory.builder().id("user-42").maxMessages(3).chatMemoryStore(store).build();
        memory.add(SystemMessage.from("You are terse."));
        memory.add(UserMessage.from("What is the capital of France?"));
        memory.add(AiMessage.from("Paris."));
        memory.add(UserMessage.from("And of Italy?"));

        // another agent process, same conversation id: it reads the window back from the sidecar
        var again = MessageWindowChatMemory.builder().id("user-42").maxMessages(3).chatMemoryStore(
                new MemSidecarChatMemoryStore(client, "chats")).build();
        List<ChatMessage> messages = again.messages();
        assertThat(messages).hasSize(3);
        assertThat(messages.getFirst()).as("the system message is kept by the window").isInstanceOf(SystemMessage.class);
        assertThat(((UserMessage) messages.getLast()).singleText()).isEqualTo("And of Italy?");
        assertThat(client.kv().get("chats", "user-42").orElseThrow().contentType()).isEqualTo("application/json");

        again.clear();
        assertThat(store.getMessages("user-42")).isEmpty();
        assertThat(client.kv().get("chats", "user-42")).isEmpty();
    }

    @Test
    void vectorsTheServerDidNotEmbedComeBackAsStored() {
        var store = new MemSidecarEmbeddingStore(client, "lc4j-extra");
        Embedding e = MODEL.embed("the cat sat on the mat").content();
        String id = store.add(e);
        var found = store.search(dev.langchain4j.store.embedding.EmbeddingSearchRequest.builder().queryEmbedding(e).maxResults(1)
                .build()).matches().getFirst();
        assertThat(found.embeddingId()).isEqualTo(id);
        assertThat(found.embedded()).as("added without a segment").isNull();
        assertThat(found.score()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
        store.remove(id);
    }
}
