package io.memsidecar.examples.springai;

import java.util.List;
import java.util.stream.Collectors;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.document.Document;
import org.springframework.ai.vectorstore.SearchRequest;
import org.springframework.ai.vectorstore.VectorStore;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * One agent turn with Spring AI, its memory in memsidecar through the auto-configuration
 * ({@code memsidecar.target}, {@code memsidecar.token}): documents go into the VectorStore on
 * {@code notes}, which the <b>server</b> embeds; each question retrieves the closest one; the
 * conversation is kept by a MessageWindowChatMemory on the episodic namespace {@code events}.
 * The chat model is a stand-in that answers from the retrieved context (use any Spring AI
 * ChatModel instead); nothing here needs the network.
 *
 * <pre>
 * ./dev run                          # the embedded default, in another terminal
 * MEMSIDECAR_TOKEN=$(cat ~/.memsidecar/token) examples/run.sh spring-ai-agent
 * </pre>
 */
@SpringBootApplication
public class SpringAiAgentTurn {
    public static void main(String[] args) {
        SpringApplication.run(SpringAiAgentTurn.class, args).close();
    }

    @Bean
    ChatModel standInModel() {
        return prompt -> {
            String context = prompt.getInstructions().stream().filter(m -> m.getMessageType() == MessageType.SYSTEM)
                    .map(m -> m.getText()).collect(Collectors.joining(" "));
            return new ChatResponse(List.of(new Generation(new AssistantMessage(context.isBlank()
                    ? "I have nothing about that in memory." : "From memory: " + context))));
        };
    }

    @Bean
    CommandLineRunner turn(VectorStore notes, ChatMemoryRepository chats, ChatModel model) {
        return args -> {
            notes.add(List.of(new Document("Paris is the capital of France.", java.util.Map.of("topic", "geography")),
                    new Document("The Loire is the longest river in France.", java.util.Map.of("topic", "geography")),
                    new Document("Quarterly revenue grew by eight percent.", java.util.Map.of("topic", "finance"))));
            ChatMemory memory = MessageWindowChatMemory.builder().chatMemoryRepository(chats).maxMessages(10).build();
            ChatClient agent = ChatClient.builder(model).defaultAdvisors(MessageChatMemoryAdvisor.builder(memory).build()).build();
            String conversation = "spring-" + ProcessHandle.current().pid();
            for (String question : List.of("Which city is the capital of France?", "Which river is the longest in France?")) {
                Document best = notes.similaritySearch(SearchRequest.builder().query(question).topK(1)
                        .filterExpression("topic == 'geography'").build()).getFirst();
                String answer = agent.prompt().system(best.getText()).user(question)
                        .advisors(a -> a.param(ChatMemory.CONVERSATION_ID, conversation)).call().content();
                System.out.println("user: " + question + "\nassistant: " + answer);
            }
            System.out.println("(" + chats.findByConversationId(conversation).size() + " messages of conversation "
                    + conversation + " kept in episodic/events)");
        };
    }
}
