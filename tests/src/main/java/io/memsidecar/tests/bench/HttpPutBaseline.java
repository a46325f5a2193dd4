package io.memsidecar.tests.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The streams benchmark's bound for the curl route: the JDK's own HTTP/1.1 server taking a PUT body
 * into a temporary file in 64 KiB writes, fsyncing and renaming it — the filesystem driver's work
 * without the sidecar (no auth, no SHA-256, no Helidon). Runs until killed.
 */
@Command(name = "http-put-baseline", mixinStandardHelpOptions = true)
public final class HttpPutBaseline implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "7793")
    int port;

    @Option(names = "--dir", required = true, description = "where the bodies are written")
    Path dir;

    public static void main(String[] args) {
        System.exit(new CommandLine(new HttpPutBaseline()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(dir);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            Path temp = Files.createTempFile(dir, ".put-", "");
            byte[] buffer = new byte[64 * 1024];
            try (InputStream body = exchange.getRequestBody();
                 FileChannel file = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                for (int n; (n = body.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                    ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                    while (chunk.hasRemaining()) {
                        file.write(chunk);
                    }
                }
                file.force(true);
            }
            Files.move(temp, dir.resolve("body"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        System.out.println("http-put-baseline listening on 127.0.0.1:" + port);
        Thread.currentThread().join();
        return 0;
    }
}
