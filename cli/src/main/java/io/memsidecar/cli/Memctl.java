package io.memsidecar.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.client.MemSidecarException;
import io.memsidecar.proto.Version;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code memctl}: keys and tokens, a command for every RPC of every block, and the MCP server.
 * Exit codes are for scripts: 0 ok, 1 usage or bad input, 2 not found, 3 unauthenticated or
 * denied, 4 precondition failed (version mismatch, lease held), 5 unavailable or deadline
 * exceeded, 6 any other error (resource exhausted, internal).
 */
@Command(name = "memctl", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Memctl.VersionProvider.class,
        description = "memsidecar's command line: keys and tokens, every block's data plane, and an MCP server.",
        subcommands = {KvCommands.class, EpisodicCommands.class, SemanticCommands.class, ArtifactCommands.class,
                LeaseCommands.class, GraphCommands.class, RecallCommand.class, AdminCommands.Ns.class, AdminCommands.Health.class,
                TokenCommands.class, TokenCommands.GenKeypair.class, McpCommand.class, Memctl.VersionCommand.class,
                AutoComplete.GenerateCompletion.class},
        footer = {"%nEnvironment:", "  MEMSIDECAR_ADDR   default --addr (host:port, or unix:/path/to/socket)",
                "  MEMSIDECAR_TOKEN  default --token (a capability token)",
                "%nExit codes:",
                "  0 ok                 1 usage, INVALID_ARGUMENT   2 NOT_FOUND, or absent",
                "  3 UNAUTHENTICATED, PERMISSION_DENIED        4 FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS",
                "  5 UNAVAILABLE, DEADLINE_EXCEEDED            6 any other error",
                "%nExamples:",
                "  export MEMSIDECAR_TOKEN=$(cat ~/.memsidecar/token)",
                "  memctl kv put agent-state user:42 '{\"lang\":\"fr\"}' --ttl 24h",
                "  memctl episodic tail events --historical --output json | jq .type",
                "  memctl artifact put reports ./report.pdf --id report-1",
                "  source <(memctl generate-completion)"})
public final class Memctl {
    /** The connection options: on the root and, inherited (their scope), on every subcommand —
     * {@code memctl --addr H:P kv get …} and {@code memctl kv get … --addr H:P} alike. */
    @Mixin
    Connection conn;

    public static final int OK = 0;
    public static final int USAGE = 1;
    public static final int NOT_FOUND = 2;
    public static final int DENIED = 3;
    public static final int PRECONDITION = 4;
    public static final int UNAVAILABLE = 5;
    public static final int OTHER = 6;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        var cl = new CommandLine(new Memctl());
        cl.setExpandAtFiles(false); // @FILE is a value read from a file (kv put), not picocli's argument file
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine bad = e.getCommandLine();
            bad.getErr().println("memctl: " + e.getMessage());
            bad.getErr().println("Try '" + bad.getCommandSpec().qualifiedName() + " --help'.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((thrown, commandLine, parseResult) -> {
            // the SDK's typed exceptions carry the call's status
            Exception e = thrown instanceof MemSidecarException m && m.getCause() instanceof StatusRuntimeException s ? s : thrown;
            if (e instanceof StatusRuntimeException s) {
                Status status = s.getStatus();
                String description = status.getDescription();
                String cause = status.getCause() == null ? "" : " (" + status.getCause().getMessage() + ")";
                commandLine.getErr().println("memctl: " + status.getCode() + ": "
                        + (description == null ? "" : description) + cause);
                return exitCode(status.getCode());
            }
            if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
                commandLine.getErr().println("memctl: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof java.io.IOException io) {
                commandLine.getErr().println("memctl: " + io);
                return OTHER;
            }
            throw e;
        });
        return cl;
    }

    static int exitCode(Status.Code code) {
        return switch (code) {
            case OK -> OK;
            case INVALID_ARGUMENT -> USAGE;
            case NOT_FOUND -> NOT_FOUND;
            case UNAUTHENTICATED, PERMISSION_DENIED -> DENIED;
            case FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS -> PRECONDITION;
            case UNAVAILABLE, DEADLINE_EXCEEDED -> UNAVAILABLE;
            default -> OTHER;
        };
    }

    @Command(name = "version", description = "Print memctl's version.")
    static final class VersionCommand implements Runnable {
        @Override
        public void run() {
            System.out.println("memctl " + Version.current());
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"memctl " + Version.current()};
        }
    }
}
