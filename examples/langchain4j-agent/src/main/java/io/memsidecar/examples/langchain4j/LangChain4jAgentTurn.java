package io.memsidecar.examples.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.rag.content.retriever.EmbeddingStoreContentRetriever;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.MemoryId;
import dev.langchain4j.service.UserMessage;
import io.memsidecar.client.MemSidecar;
import io.memsidecar.langchain4j.MemSidecarChatMemoryStore;
import io.memsidecar.langchain4j.MemSidecarEmbeddingStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One agent turn with LangChain4j, its memory in memsidecar: facts go into the semantic
 * namespace {@code notes} (vectors from the in-process all-MiniLM-L6-v2), the assistant retrieves
 * them for each question, and the conversation is kept in the kv namespace {@code default} — so a
 * second process, or a restarted agent, continues it. The chat model is a stand-in that answers
 * from what was retrieved (swap in any LangChain4j ChatModel); nothing here needs the network.
 *
 * <pre>
 * ./dev run                              # the embedded default, in another terminal
 * examples/run.sh langchain4j-agent
 * </pre>
 */
public final class LangChain4jAgentTurn {
    /** What the agent can be asked; LangChain4j implements it. */
    interface Assistant {
        String answer(@MemoryId String conversation, @UserMessage String question);
    }

    private LangChain4jAgentTurn() {
    }

    public static void main(String[] args) throws Exception {
        String addr = System.getenv().getOrDefault("MEMSIDECAR_ADDR", "127.0.0.1:7777");
        String token = System.getenv("MEMSIDECAR_TOKEN");
        if (token == null) {
            token = Files.readString(Path.of(System.getProperty("user.home"), ".memsidecar", "token")).strip();
        }
        try (var memsidecar = MemSidecar.connect(addr, token)) {
            System.out.println(run(memsidecar, "demo-" + ProcessHandle.current().pid()));
        }
    }

    /** The turn; returns the transcript. */
    public static String run(MemSidecar memsidecar, String conversation) {
        EmbeddingModel embeddings = new AllMiniLmL6V2QuantizedEmbeddingModel();
        var facts = new MemSidecarEmbeddingStore(memsidecar, "notes");
        for (String fact : List.of("Paris is the capital of France.", "The Loire is the longest river in France.",
                "Quarterly revenue grew by eight percent.")) {
            TextSegment segment = TextSegment.from(fact);
            facts.add(embeddings.embed(segment).content(), segment);
        }
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(new RetrievalEcho())
                .chatMemoryProvider(id -> MessageWindowChatMemory.builder().id(id).maxMessages(10)
                        .chatMemoryStore(new MemSidecarChatMemoryStore(memsidecar, "default")).build())
                .contentRetriever(EmbeddingStoreContentRetriever.builder().embeddingStore(facts).embeddingModel(embeddings)
                        .maxResults(1).minScore(0.6).build())
                .build();
        String first = assistant.answer(conversation, "Which city is the capital of France?");
        String second = assistant.answer(conversation, "And how long is the longest French river?");
        List<ChatMessage> kept = new MemSidecarChatMemoryStore(memsidecar, "default").getMessages(conversation);
        return "user: Which city is the capital of France?\nassistant: " + first
                + "\nuser: And how long is the longest French river?\nassistant: " + second
                + "\n(" + kept.size() + " messages of conversation " + conversation + " kept in kv/default)";
    }

    /** A stand-in chat model: it answers with the context that retrieval added to the last user message. */
    static final class RetrievalEcho implements ChatModel {
        @Override
        public ChatResponse doChat(ChatRequest request) {
            ChatMessage last = request.messages().getLast();
            String text = last instanceof dev.langchain4j.data.message.UserMessage u ? u.singleText() : "";
            int context = text.indexOf("Answer using the following information:");
            String answer = context < 0 ? "I have nothing about that in memory."
                    : "From memory: " + text.substring(context + "Answer using the following information:".length()).strip();
            return ChatResponse.builder().aiMessage(AiMessage.from(answer)).build();
        }
    }
}
