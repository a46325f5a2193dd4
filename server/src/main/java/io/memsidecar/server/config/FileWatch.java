package io.memsidecar.server.config;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an action when the content of any of some files changes: their directories are watched,
 * so an editor's rename, cert-manager's rewrite or Kubernetes' ConfigMap/Secret symlink swap
 * counts; events are debounced (writers write in steps) and an unchanged content is ignored.
 */
public final class FileWatch {
    private static final System.Logger LOG = System.getLogger(FileWatch.class.getName());

    private FileWatch() {
    }

    /** Starts a daemon thread watching {@code files}; {@code what} names them in the log. */
    public static void onChange(List<Path> files, Runnable action, String what) {
        Thread.ofPlatform().daemon().name("memsidecar-watch-" + what).start(() -> watch(files, action, what));
    }

    private static void watch(List<Path> files, Runnable action, String what) {
        try (WatchService watcher = files.getFirst().toAbsolutePath().getFileSystem().newWatchService()) {
            for (Path dir : files.stream().map(f -> f.toAbsolutePath().getParent()).distinct().toList()) {
                dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
            }
            String seen = digest(files);
            while (true) {
                WatchKey key = watcher.take();
                do {
                    key.pollEvents();
                    key.reset();
                    key = watcher.poll(300, TimeUnit.MILLISECONDS);
                } while (key != null);
                String now = digest(files);
                if (!now.isEmpty() && !now.equals(seen)) {
                    seen = now;
                    action.run();
                }
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "not watching the " + what + " files for changes (SIGHUP still reloads): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The SHA-256 of the files' contents, empty while one cannot be read (mid-swap). */
    private static String digest(List<Path> files) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                sha.update(Files.readAllBytes(file));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            return "";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
