package io.memsidecar.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that calls a sidecar: the connection options, and the channel closed when it ends. */
abstract class Remote implements Callable<Integer> {
    @Mixin
    Connection conn;

    @Override
    public final Integer call() throws Exception {
        Connection c = conn;
        try (c) {
            return run(c, c.out());
        }
    }

    abstract int run(Connection c, Out out) throws Exception;
}
