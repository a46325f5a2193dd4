package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.server.config.MemsidecarConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * What every rendering of the Kubernetes manifests (Kustomize's k8s/, the Helm chart) must hold for the
 * memsidecar container: a restricted pod, the config it mounts valid for ConfigLoader with every
 * variable it names set by the pod, ports and probes on the config's listeners, writable places on a
 * read-only root, a grace period longer than the drain.
 */
final class Manifests {
    private Manifests() {
    }

    /**
     * The config the container mounts, loaded as the server would with the pod's environment (values made
     * up), and files of the other volumes it mounts (TLS certificates) standing in at {@code dir}.
     */
    record Mounted(MemsidecarConfig config, String yaml, Map<String, String> env) {
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> parse(String yaml) {
        var docs = new ArrayList<Map<String, Object>>();
        new Yaml().loadAll(yaml).forEach(d -> {
            if (d != null) {
                docs.add((Map<String, Object>) d);
            }
        });
        return docs;
    }

    /** Restricted Pod Security Standard on the pod and on each of its containers. */
    @SuppressWarnings("unchecked")
    static void assertRestricted(Map<String, Object> pod) {
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true).containsEntry("runAsUser", 65532);
        assertThat(map(podSecurity, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        var all = new ArrayList<Map<String, Object>>(pod.containsKey("initContainers") ? list(pod, "initContainers") : List.of());
        all.addAll(list(pod, "containers"));
        for (Map<String, Object> c : all) {
            Map<String, Object> sc = map(c, "securityContext");
            assertThat(sc).as(c.get("name").toString()).containsEntry("allowPrivilegeEscalation", false)
                    .containsEntry("readOnlyRootFilesystem", true).containsEntry("runAsNonRoot", true);
            assertThat((List<String>) map(sc, "capabilities").get("drop")).containsExactly("ALL");
        }
    }

    /**
     * The container's config from the rendered ConfigMap, loaded by ConfigLoader; the PASETO public key
     * (when the pod sets one) gets a real key, every other variable a made-up value; every {@code *_env}
     * the config names must be set by the pod.
     */
    @SuppressWarnings("unchecked")
    static Mounted mountedConfig(List<Map<String, Object>> docs, Map<String, Object> pod, Map<String, Object> container,
                                 Path dir) throws Exception {
        String configMapName = map(volume(pod, "config"), "configMap").get("name").toString();
        Map<String, Object> configMap = docs.stream().filter(d -> d.get("kind").equals("ConfigMap")
                && map(d, "metadata").get("name").equals(configMapName)).findFirst().orElseThrow();
        String mountPath = mount(container, "config");
        List<String> args = (List<String>) container.get("args");
        String configFile = args.get(args.indexOf("--config") + 1);
        assertThat(configFile).startsWith(mountPath + "/");
        String yaml = map(configMap, "data").get(configFile.substring(mountPath.length() + 1)).toString();
        // a file the config names under another volume's mount (a certificate) exists, empty, under dir
        String local = yaml;
        for (Map<String, Object> m : list(container, "volumeMounts")) {
            String path = m.get("mountPath").toString();
            if (!m.get("name").equals("config") && path.startsWith("/etc/")) {
                Path stand = Files.createDirectories(dir.resolve(m.get("name").toString()));
                var named = Pattern.compile(Pattern.quote(path) + "/([\\w.-]+)").matcher(yaml);
                while (named.find()) {
                    Files.writeString(stand.resolve(named.group(1)), "");
                }
                local = local.replace(path + "/", stand + "/");
            }
        }
        Path file = dir.resolve("memsidecar-" + System.nanoTime() + ".yaml");
        Files.writeString(file, local);
        Map<String, String> env = new HashMap<>();
        // made-up values: 64 hex digits pass as an encryption key, a JWT secret and anything else
        list(container, "env").forEach(e -> env.put(e.get("name").toString(), "0".repeat(64)));
        if (env.containsKey("MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX")) {
            env.put("MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX", io.memsidecar.tokens.Ed25519Keys.generateHex()[1]);
        }
        MemsidecarConfig config = ConfigLoader.load(Optional.of(file), env);
        var refs = Pattern.compile("_env:\\s*\"?([A-Z0-9_]+)").matcher(yaml);
        while (refs.find()) {
            assertThat(env).as("env " + refs.group(1)).containsKey(refs.group(1));
        }
        return new Mounted(config, yaml, env);
    }

    /** The secret a variable of the container comes from, as {name, key}. */
    static Map<String, Object> secretOf(Map<String, Object> container, String variable) {
        Map<String, Object> e = list(container, "env").stream().filter(v -> v.get("name").equals(variable)).findFirst()
                .orElseThrow(() -> new AssertionError(container.get("name") + " does not set " + variable));
        return map(map(e, "valueFrom"), "secretKeyRef");
    }

    /**
     * Ports are the config's listeners; startup and liveness are gRPC health on the gRPC port (HTTPS
     * {@code /livez} with TLS: kubelet's gRPC probe speaks no TLS), readiness {@code /readyz} on the HTTP
     * port; the data dir and /tmp are volumes; a memory limit; a grace period longer than the drain.
     */
    static void assertWiredToConfig(Map<String, Object> pod, Map<String, Object> container, MemsidecarConfig config) {
        int grpc = port(config.server().grpcTcp());
        int http = port(config.server().httpAddr().orElseThrow());
        int metrics = port(config.telemetry().metrics().prometheusAddr());
        assertThat(list(container, "ports").stream().map(p -> (Integer) p.get("containerPort")).toList())
                .containsExactlyInAnyOrder(grpc, http, metrics);
        if (config.server().tls().isPresent()) {
            for (String probe : List.of("startupProbe", "livenessProbe")) {
                assertThat(map(map(container, probe), "httpGet")).containsEntry("path", "/livez").containsEntry("port", http)
                        .containsEntry("scheme", "HTTPS");
            }
            assertThat(map(map(container, "readinessProbe"), "httpGet")).containsEntry("scheme", "HTTPS");
        } else {
            assertThat(map(map(container, "startupProbe"), "grpc")).containsEntry("port", grpc);
            assertThat(map(map(container, "livenessProbe"), "grpc")).containsEntry("port", grpc);
        }
        assertThat(map(map(container, "readinessProbe"), "httpGet")).containsEntry("path", "/readyz").containsEntry("port", http);
        assertThat(mount(container, "data")).isEqualTo(config.dataDir().toString());
        assertThat(mount(container, "tmp")).isEqualTo("/tmp");
        assertThat(map(map(container, "resources"), "limits")).containsKey("memory");
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan((int) config.server().shutdownTimeout().toSeconds());
    }

    /** The agent shares the socket's directory and is told where the socket is. */
    static void assertAgentSharesTheSocket(Map<String, Object> pod, Map<String, Object> sidecar, Map<String, Object> agent,
                                           MemsidecarConfig config) {
        String socketDir = config.server().grpcUds().orElseThrow().getParent().toString();
        assertThat(mount(sidecar, "socket")).isEqualTo(socketDir);
        assertThat(mount(agent, "socket")).isEqualTo(socketDir);
        assertThat(list(agent, "env")).anySatisfy(e -> assertThat(e).containsEntry("name", "MEMSIDECAR_UNIX")
                .containsEntry("value", config.server().grpcUds().orElseThrow().toString()));
        assertThat(map(volume(pod, "socket"), "emptyDir")).isNotNull();
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        var found = docs.stream().filter(d -> d.get("kind").equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.getFirst();
    }

    static Map<String, Object> volume(Map<String, Object> pod, String name) {
        return list(pod, "volumes").stream().filter(v -> v.get("name").equals(name)).findFirst().orElseThrow();
    }

    static String mount(Map<String, Object> container, String volume) {
        return list(container, "volumeMounts").stream().filter(m -> m.get("name").equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(container.get("name") + " does not mount " + volume))
                .get("mountPath").toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String key) {
        assertThat(m).containsKey(key);
        return (Map<String, Object>) m.get(key);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        assertThat(m).containsKey(key);
        return (List<Map<String, Object>>) m.get(key);
    }
}
