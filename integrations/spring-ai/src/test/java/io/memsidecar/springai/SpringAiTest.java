package io.memsidecar.springai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.client.MemSidecar;
import io.memsidecar.client.PermissionDeniedException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.ai.test.vectorstore.BaseVectorStoreTests;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The Spring AI integration against the packaged server: Spring AI's own VectorStore cases
 * (through the auto-configuration, the server embedding with its in-process model), the
 * filter-expression language, and the ChatMemoryRepository behind a MessageWindowChatMemory.
 */
class SpringAiTest {
    private static Sidecar sidecar;
    private static ApplicationContextRunner context;

    @BeforeAll
    static void start() throws Exception {
        sidecar = new Sidecar("""
                  - { block: semantic, name: docs, backend: mem, embedder: { provider: local, dimensions: 384 } }
                  - { block: semantic, name: filtered, backend: mem, embedder: { provider: local, dimensions: 384 } }
                  - { block: episodic, name: chats, backend: mem }
                """);
        context = new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MemSidecarAutoConfiguration.class))
                .withPropertyValues("memsidecar.target=" + sidecar.target(), "memsidecar.token=" + sidecar.token(List.of("*")),
                        "memsidecar.vector-store.namespace=docs", "memsidecar.chat-memory.namespace=chats");
    }

    @AfterAll
    static void stop() throws Exception {
        sidecar.close();
    }

    @Nested
    class SpringAiVectorStoreCases extends BaseVectorStoreTests {
        @Override
        protected void executeTest(Consumer<VectorStore> testFunction) {
            context.run(ctx -> testFunction.accept(ctx.getBean(VectorStore.class)));
        }
    }

    @Test
    void theFilterExpressionLanguage() {
        context.withPropertyValues("memsidecar.vector-store.namespace=filtered").run(ctx -> {
            VectorStore store = ctx.getBean(VectorStore.class);
            store.add(List.of(
                    new Document("a", "Paris is the capital of France", Map.of("country", "FR", "year", 2024, "draft", false)),
                    new Document("b", "Berlin is the capital of Germany", Map.of("country", "DE", "year", 2019)),
                    new Document("c", "Madrid is the capital of Spain", Map.of("country", "ES", "year", 2021, "draft", true))));
            assertThat(ids(store, "country == 'FR'")).containsExactly("a");
            assertThat(ids(store, "year >= 2021 && country != 'FR'")).containsExactly("c");
            assertThat(ids(store, "country in ['DE', 'ES']")).containsExactlyInAnyOrder("b", "c");
            assertThat(ids(store, "country nin ['DE', 'ES']")).containsExactly("a");
            assertThat(ids(store, "year < 2020 || draft == true")).containsExactlyInAnyOrder("b", "c");
            assertThat(ids(store, "NOT (country == 'FR')")).containsExactlyInAnyOrder("b", "c");
            Document paris = store.similaritySearch(SearchRequest.builder().query("French capital").topK(1).build()).getFirst();
            assertThat(paris.getId()).isEqualTo("a");
            assertThat(paris.getMetadata()).containsEntry("year", 2024).containsEntry("draft", false);
            assertThat(paris.getScore()).isBetween(0.0, 1.0);
            store.delete(List.of("a", "b", "c"));
            assertThat(ids(store, "year > 0")).isEmpty();
        });
    }

    private static List<String> ids(VectorStore store, String filter) {
        return store.similaritySearch(SearchRequest.builder().query("capital").topK(10).similarityThresholdAll().filterExpression(filter)
                .build()).stream().map(Document::getId).toList();
    }

    @Test
    void chatMemoryOnEpisodic() {
        context.run(ctx -> {
            ChatMemoryRepository repository = ctx.getBean(ChatMemoryRepository.class);
            var memory = MessageWindowChatMemory.builder().chatMemoryRepository(repository).maxMessages(3).build();
            memory.add("c-1", List.of(new SystemMessage("Be brief."), new UserMessage("Capital of France?"),
                    new AssistantMessage("Paris."), new UserMessage("Of Italy?")));
            memory.add("c-2", new UserMessage("hello"));
            assertThat(memory.get("c-1")).hasSize(3).first().isInstanceOf(SystemMessage.class);
            assertThat(memory.get("c-1").getLast().getText()).isEqualTo("Of Italy?");
            assertThat(repository.findConversationIds()).containsExactlyInAnyOrder("c-1", "c-2");
            memory.clear("c-2");
            assertThat(repository.findByConversationId("c-2")).isEmpty();
            assertThat(repository.findConversationIds()).containsExactly("c-1");
        });
    }

    @Test
    void theAutoConfigurationBacksOffAndNeedsAToken() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MemSidecarAutoConfiguration.class))
                .run(ctx -> assertThat(ctx).doesNotHaveBean(VectorStore.class).doesNotHaveBean(MemSidecar.class));
        context.withBean("myStore", VectorStore.class, () -> new MemSidecarVectorStore(null, "x", java.util.Optional.empty()))
                .run(ctx -> assertThat(ctx.getBean(VectorStore.class)).isSameAs(ctx.getBean("myStore")));
        context.withPropertyValues("memsidecar.token=" + sidecar.token(List.of("episodic/*"))).run(ctx ->
                assertThatThrownBy(() -> ctx.getBean(VectorStore.class).add(List.of(new Document("x"))))
                        .isInstanceOf(PermissionDeniedException.class));
    }
}
