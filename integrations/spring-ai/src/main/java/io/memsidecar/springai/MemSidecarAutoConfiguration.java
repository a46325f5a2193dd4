package io.memsidecar.springai;

import io.memsidecar.client.MemSidecar;
import java.util.Optional;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot auto-configuration: with {@code memsidecar.token} set, a {@link MemSidecar} client,
 * a {@link VectorStore} on {@code memsidecar.vector-store.namespace} (embedding with the
 * application's {@link EmbeddingModel} if it has one, else on the server) and a
 * {@link ChatMemoryRepository} on {@code memsidecar.chat-memory.namespace}. Each backs off when
 * the application defines its own.
 */
@AutoConfiguration
@ConditionalOnProperty(prefix = "memsidecar", name = "token")
@EnableConfigurationProperties(MemSidecarProperties.class)
public class MemSidecarAutoConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    MemSidecar memSidecar(MemSidecarProperties p) {
        var b = MemSidecar.builder().target(p.target()).token(p.token()).deadline(p.deadline());
        if (p.unixSocket() != null) {
            b.unixSocket(p.unixSocket());
        }
        if (p.tls()) {
            b.tls();
        }
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean(VectorStore.class)
    MemSidecarVectorStore memSidecarVectorStore(MemSidecar client, MemSidecarProperties p, ObjectProvider<EmbeddingModel> model) {
        return new MemSidecarVectorStore(client, p.vectorStore().namespace(), Optional.ofNullable(model.getIfUnique()));
    }

    @Bean
    @ConditionalOnMissingBean(ChatMemoryRepository.class)
    MemSidecarChatMemoryRepository memSidecarChatMemoryRepository(MemSidecar client, MemSidecarProperties p) {
        return new MemSidecarChatMemoryRepository(client, p.chatMemory().namespace());
    }
}
