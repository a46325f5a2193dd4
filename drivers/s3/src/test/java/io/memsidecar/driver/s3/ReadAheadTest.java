package io.memsidecar.driver.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

class ReadAheadTest {
    private static ResponseInputStream<GetObjectResponse> response(InputStream body, Runnable abort) {
        return new ResponseInputStream<>(GetObjectResponse.builder().build(), AbortableInputStream.create(body, abort::run));
    }

    /** Hands out at most 1,000 bytes per read, like a socket that has little at a time. */
    private static InputStream trickle(byte[] bytes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1000));
            }
        };
    }

    @Test
    void theBodyArrivesWholeAcrossBlocks() throws IOException {
        byte[] bytes = new byte[3 * ReadAhead.BLOCK + 12345];
        new Random(7).nextBytes(bytes);
        try (InputStream in = ReadAhead.of(response(trickle(bytes), () -> { }))) {
            assertThat(in).isInstanceOf(ReadAhead.class);
            assertThat(in.read()).isEqualTo(bytes[0] & 0xff);
            byte[] rest = in.readAllBytes();
            assertThat(rest).hasSize(bytes.length - 1);
            assertThat(rest[0]).isEqualTo(bytes[1]);
            assertThat(rest).endsWith(bytes[bytes.length - 1]);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aFailedReadSurfacesAfterTheBlocksBeforeIt() throws IOException {
        byte[] bytes = new byte[ReadAhead.BLOCK + 10];
        InputStream failing = new InputStream() {
            private final InputStream first = new ByteArrayInputStream(bytes);

            @Override
            public int read() throws IOException {
                int b = first.read();
                if (b < 0) {
                    throw new IOException("connection reset");
                }
                return b;
            }
        };
        try (InputStream in = ReadAhead.of(response(failing, () -> { }))) {
            assertThat(in.readNBytes(ReadAhead.BLOCK)).hasSize(ReadAhead.BLOCK); // the whole block read before the failure
            assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessage("connection reset");
        }
    }

    @Test
    void closingEarlyAbortsTheResponseAndFreesItsThread() throws Exception {
        // More early closes than there are reading threads: each must give its thread back,
        // or the later bodies would be read directly, not ahead.
        for (int i = 0; i < 100; i++) {
            var aborted = new CountDownLatch(1);
            InputStream stalled = new InputStream() { // one block, then a socket that never has more
                private int left = ReadAhead.BLOCK;

                @Override
                public int read() throws IOException {
                    if (left-- > 0) {
                        return 1;
                    }
                    try {
                        aborted.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IOException("aborted");
                }
            };
            InputStream in = ReadAhead.of(response(stalled, aborted::countDown));
            assertThat(in).isInstanceOf(ReadAhead.class);
            assertThat(in.read()).isEqualTo(1);
            in.close();
            assertThat(aborted.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }
}
