package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples under examples/, each run as its own process (its main(), as examples/run.sh
 * does) against the packaged distribution on its embedded default: in-memory, the in-process
 * embedder, the local token — no network.
 */
class ExamplesTest {
    private static EmbeddedDistribution server;

    @BeforeAll
    static void start(@TempDir Path data) throws Exception {
        server = new EmbeddedDistribution(data);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** As examples/run.sh runs it: its main class on its own class path (written by the build). */
    private static String runExample(String example, String mainClass) throws Exception {
        Path dir = Path.of(System.getProperty("memsidecar.dist")).resolve("../../../examples").resolve(example).normalize();
        String classPath = dir.resolve("target/classes") + java.io.File.pathSeparator
                + Files.readString(dir.resolve("target/classpath.txt")).strip();
        var pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
                "-cp", classPath, mainClass).redirectErrorStream(true);
        pb.environment().put("MEMSIDECAR_ADDR", server.target());
        pb.environment().put("MEMSIDECAR_TOKEN", server.token);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return output;
    }

    @Test
    void langChain4jAgentTurn() throws Exception {
        String transcript = runExample("langchain4j-agent", "io.memsidecar.examples.langchain4j.LangChain4jAgentTurn");
        assertThat(transcript).contains("assistant: From memory: Paris is the capital of France")
                .contains("assistant: From memory: The Loire is the longest river in France")
                .containsPattern("\\(4 messages of conversation demo-\\d+ kept in kv/default\\)");
    }

    @Test
    void springAiAgentTurn() throws Exception {
        String transcript = runExample("spring-ai-agent", "io.memsidecar.examples.springai.SpringAiAgentTurn");
        assertThat(transcript).contains("assistant: From memory: Paris is the capital of France.")
                .contains("assistant: From memory: The Loire is the longest river in France.")
                .containsPattern("\\(4 messages of conversation spring-\\d+ kept in episodic/events\\)");
    }
}
