package io.memsidecar.springai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.client.Episodic;
import io.memsidecar.client.MemSidecar;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A Spring AI {@link ChatMemoryRepository} on an episodic namespace. Every {@code saveAll} appends
 * one event (type {@code chat_memory}, session = the conversation id) holding the whole window as
 * JSON, so the log is also the conversation's memory history (and episodic retention applies to
 * it); reading takes the newest such event of the session. Deleting appends an empty window.
 * Messages keep their type, text and metadata, as Spring AI's JDBC repository does.
 */
public class MemSidecarChatMemoryRepository implements ChatMemoryRepository {
    static final String TYPE = "chat_memory";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MemSidecar client;
    private final String namespace;

    public MemSidecarChatMemoryRepository(MemSidecar client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    /** The conversations whose newest window is not empty (reads the namespace's chat_memory events). */
    @Override
    public List<String> findConversationIds() {
        var latest = new LinkedHashMap<String, Boolean>();
        try (var events = client.episodic().range(namespace, Episodic.RangeOptions.ALL.withType(TYPE))) {
            events.forEach(e -> latest.put(e.sessionId(), !e.text().equals("[]")));
        }
        return latest.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList();
    }

    @Override
    public List<Message> findByConversationId(String conversationId) {
        try (var newest = client.episodic().range(namespace, Episodic.RangeOptions.ALL.withSession(conversationId).withType(TYPE)
                .reversed().withLimit(1))) {
            return newest.toList().stream().findFirst().map(e -> read(e.text())).orElseGet(List::of);
        }
    }

    @Override
    public void saveAll(String conversationId, List<Message> messages) {
        client.episodic().append(namespace, Episodic.NewEvent.of(TYPE, write(messages)).withSession(conversationId)
                .withSource("spring-ai"));
    }

    @Override
    public void deleteByConversationId(String conversationId) {
        saveAll(conversationId, List.of());
    }

    private record Stored(String type, String text, Map<String, Object> metadata) {
    }

    private static String write(List<Message> messages) {
        try {
            return JSON.writeValueAsString(messages.stream().map(m -> new Stored(m.getMessageType().name(), m.getText(),
                    m.getMetadata())).toList());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("messages cannot be written as JSON: " + e.getMessage(), e);
        }
    }

    private static List<Message> read(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<Stored>>() { }).stream().map(s -> (Message) switch (MessageType.valueOf(s.type())) {
                case USER -> UserMessage.builder().text(s.text()).metadata(s.metadata()).build();
                case ASSISTANT -> AssistantMessage.builder().content(s.text()).properties(s.metadata()).build();
                case SYSTEM -> SystemMessage.builder().text(s.text()).metadata(s.metadata()).build();
                case TOOL -> AssistantMessage.builder().content(s.text()).properties(s.metadata()).build(); // tool results are kept as text
            }).toList();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored chat memory is not valid JSON: " + e.getMessage(), e);
        }
    }
}
