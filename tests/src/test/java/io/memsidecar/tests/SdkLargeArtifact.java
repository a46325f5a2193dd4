package io.memsidecar.tests;

import io.memsidecar.client.Artifacts;
import io.memsidecar.client.MemSidecar;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * Run by JavaSdkTest in a JVM with a small heap: streams SIZE pseudo-random bytes up through
 * {@link Artifacts.Upload}, then down through {@link Artifacts.Download}, and checks the
 * SHA-256 both ways. Prints {@code OK <size>}.
 */
public final class SdkLargeArtifact {
    private SdkLargeArtifact() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String token = args[1];
        String namespace = args[2];
        long size = Long.parseLong(args[3]);
        try (var client = MemSidecar.connect("127.0.0.1:" + port, token)) {
            var sent = MessageDigest.getInstance("SHA-256");
            var random = new Random(42);
            byte[] block = new byte[256 * 1024];
            Artifacts.Ref ref;
            try (var upload = client.artifact().upload(namespace, "large", Artifacts.PutOptions.NONE)) {
                for (long done = 0; done < size; done += block.length) {
                    random.nextBytes(block);
                    int n = (int) Math.min(block.length, size - done);
                    sent.update(block, 0, n);
                    upload.write(block, 0, n);
                }
                upload.close();
                ref = upload.ref();
            }
            String expected = HexFormat.of().formatHex(sent.digest());
            if (ref.size() != size || !ref.sha256().equals(expected)) {
                throw new AssertionError("stored " + ref + ", sent " + size + " bytes with sha256 " + expected);
            }
            var received = MessageDigest.getInstance("SHA-256");
            long total = 0;
            try (InputStream in = client.artifact().get(namespace, "large")) {
                int n;
                while ((n = in.read(block)) > 0) {
                    received.update(block, 0, n);
                    total += n;
                }
            }
            if (total != size || !HexFormat.of().formatHex(received.digest()).equals(expected)) {
                throw new AssertionError("read back " + total + " bytes that differ");
            }
            client.artifact().delete(namespace, "large");
            System.out.println("OK " + size + " (max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)");
        }
    }
}
