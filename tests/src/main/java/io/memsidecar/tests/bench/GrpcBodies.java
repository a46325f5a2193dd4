package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Request bodies for a native HTTP/2 load generator (h2load) to make artifact calls with: the
 * length-prefixed gRPC messages of a whole Put (the init, then the file in chunks) and of a Get,
 * each written to a file that h2load sends as the body of one call.
 */
@Command(name = "grpc-bodies", mixinStandardHelpOptions = true)
public final class GrpcBodies implements Callable<Integer> {
    @Option(names = "--file", required = true, description = "the artifact's bytes")
    Path file;
    @Option(names = "--namespace", required = true)
    String namespace;
    @Option(names = "--id", required = true)
    String id;
    @Option(names = "--chunk", defaultValue = "1048576", description = "bytes per Put message (default: the Java SDK's)")
    int chunk;
    @Option(names = "--put", description = "where the Put call's body goes (none without it)")
    Path put;
    @Option(names = "--get", required = true, description = "where the Get call's body goes")
    Path get;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GrpcBodies()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (put != null) {
            put();
        }
        try (var out = new DataOutputStream(Files.newOutputStream(get))) {
            frame(out, GetRequest.newBuilder().setNamespace(namespace).setId(id).build());
        }
        return 0;
    }

    private void put() throws IOException {
        try (var out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(put), 1 << 20));
             InputStream in = Files.newInputStream(file)) {
            frame(out, PutRequest.newBuilder().setInit(PutInit.newBuilder().setNamespace(namespace).setId(id)).build());
            for (byte[] bytes = in.readNBytes(chunk); bytes.length > 0; bytes = in.readNBytes(chunk)) {
                frame(out, PutRequest.newBuilder().setChunk(PutChunk.newBuilder().setData(ByteString.copyFrom(bytes))).build());
            }
        }
    }

    /** gRPC's framing: an uncompressed flag, the length (4 bytes, big-endian), the message. */
    private static void frame(DataOutputStream out, MessageLite message) throws IOException {
        out.writeByte(0);
        out.writeInt(message.getSerializedSize());
        message.writeTo(out);
    }
}
