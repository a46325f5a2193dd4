package io.memsidecar.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
import io.memsidecar.client.Kv;
import io.memsidecar.client.MemSidecar;
import java.util.List;

/**
 * A {@link ChatMemoryStore} on the kv block: each conversation is one key holding LangChain4j's
 * own JSON of its messages, so {@code MessageWindowChatMemory} (which rewrites the whole window)
 * maps to one Put, and a conversation survives restarts of the agent.
 *
 * <pre>{@code
 * ChatMemory memory = MessageWindowChatMemory.builder().id("user-42").maxMessages(20)
 *         .chatMemoryStore(new MemSidecarChatMemoryStore(client, "chats")).build();
 * }</pre>
 */
public final class MemSidecarChatMemoryStore implements ChatMemoryStore {
    private final MemSidecar client;
    private final String namespace;

    /** {@code namespace}: a kv namespace; the key of a conversation is its memory id. */
    public MemSidecarChatMemoryStore(MemSidecar client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public List<ChatMessage> getMessages(Object memoryId) {
        return client.kv().get(namespace, key(memoryId)).map(e -> ChatMessageDeserializer.messagesFromJson(e.text()))
                .orElseGet(List::of);
    }

    @Override
    public void updateMessages(Object memoryId, List<ChatMessage> messages) {
        client.kv().put(namespace, key(memoryId), ChatMessageSerializer.messagesToJson(messages),
                Kv.PutOptions.NONE.withContentType("application/json"));
    }

    @Override
    public void deleteMessages(Object memoryId) {
        client.kv().delete(namespace, key(memoryId));
    }

    private static String key(Object memoryId) {
        String key = String.valueOf(memoryId);
        if (key.isEmpty()) {
            throw new IllegalArgumentException("the memory id must not be empty");
        }
        return key;
    }
}
