package io.memsidecar.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that calls a sidecar: the connection options (declared once on {@link Memctl} and
 * inherited, so they are accepted before or after the subcommand), and the channel closed when it ends.
 */
abstract class Remote implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        Connection c = ((Memctl) spec.root().userObject()).conn;
        try (c) {
            return run(c, c.out());
        }
    }

    abstract int run(Connection c, Out out) throws Exception;
}
