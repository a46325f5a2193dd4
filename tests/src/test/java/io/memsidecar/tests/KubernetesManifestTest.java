package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.server.config.MemsidecarConfig;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every k8s/ overlay rendered with {@code kubectl kustomize} (no cluster): the pod is restricted, the
 * sidecar is native, and its ports, probes, user, mounts, ConfigMap and Secret wiring agree with the
 * image (packaging/Containerfile.scratch and the top-level Containerfile) and with the config it mounts.
 */
class KubernetesManifestTest {
    private static final Path ROOT = Path.of(System.getProperty("memsidecar.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/scale-out"})
    @SuppressWarnings("unchecked")
    void overlaysRenderToARestrictedNativeSidecarWiredToTheImageAndItsConfig(String overlay) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        Map<String, Object> deployment = only(docs, "Deployment");
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");

        // restricted Pod Security Standard
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true);
        assertThat(map(podSecurity, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        List<Map<String, Object>> all = new ArrayList<>(list(pod, "initContainers"));
        all.addAll(list(pod, "containers"));
        for (Map<String, Object> c : all) {
            Map<String, Object> sc = map(c, "securityContext");
            assertThat(sc).as(c.get("name").toString()).containsEntry("allowPrivilegeEscalation", false)
                    .containsEntry("readOnlyRootFilesystem", true).containsEntry("runAsNonRoot", true);
            assertThat((List<String>) map(sc, "capabilities").get("drop")).containsExactly("ALL");
        }

        // the native sidecar form, running as the image's user
        Map<String, Object> sidecar = list(pod, "initContainers").stream()
                .filter(c -> c.get("name").equals("memsidecar")).findFirst().orElseThrow();
        assertThat(sidecar).containsEntry("restartPolicy", "Always");
        for (String containerfile : List.of("packaging/Containerfile.scratch", "Containerfile")) {
            String text = Files.readString(ROOT.resolve(containerfile));
            assertThat(text).as(containerfile).contains("USER " + podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"));
            var expose = Pattern.compile("(?m)^EXPOSE (.*)$").matcher(text);
            assertThat(expose.find()).as(containerfile).isTrue();
            assertThat(list(sidecar, "ports").stream().map(p -> p.get("containerPort").toString()).toList())
                    .as(containerfile).containsExactlyInAnyOrder(expose.group(1).strip().split(" +"));
        }

        // the mounted config: from the rendered ConfigMap, valid for ConfigLoader, and agreeing with the pod
        Map<String, Object> configVolume = volume(pod, "config");
        String configMapName = map(configVolume, "configMap").get("name").toString();
        Map<String, Object> configMap = docs.stream().filter(d -> d.get("kind").equals("ConfigMap")
                && map(d, "metadata").get("name").equals(configMapName)).findFirst().orElseThrow();
        String mountPath = mount(sidecar, "config");
        List<String> args = (List<String>) sidecar.get("args");
        String configFile = args.get(args.indexOf("--config") + 1);
        assertThat(configFile).startsWith(mountPath + "/");
        Path file = dir.resolve("memsidecar.yaml");
        Files.writeString(file, map(configMap, "data").get(configFile.substring(mountPath.length() + 1)).toString());

        List<Map<String, Object>> env = list(sidecar, "env");
        Map<String, String> fakeEnv = new java.util.HashMap<>();
        env.forEach(e -> fakeEnv.put(e.get("name").toString(), "x"));
        // the public key comes from the Secret memsidecar-auth
        Map<String, Object> keyEnv = env.stream().filter(e -> e.get("name").equals("MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX"))
                .findFirst().orElseThrow();
        assertThat(map(map(keyEnv, "valueFrom"), "secretKeyRef")).containsEntry("name", "memsidecar-auth")
                .containsEntry("key", "public_key_hex");
        fakeEnv.put("MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX", io.memsidecar.tokens.Ed25519Keys.generateHex()[1]);
        MemsidecarConfig config = ConfigLoader.load(Optional.of(file), fakeEnv);
        // every *_env the config names is set by the pod
        Pattern envRef = Pattern.compile("_env:\\s*\"?([A-Z0-9_]+)");
        var refs = envRef.matcher(Files.readString(file));
        while (refs.find()) {
            assertThat(fakeEnv).as("env " + refs.group(1)).containsKey(refs.group(1));
        }

        // ports: the listeners of the config are the container's ports
        int grpc = port(config.server().grpcTcp());
        int http = port(config.server().httpAddr().orElseThrow());
        int metrics = port(config.telemetry().metrics().prometheusAddr());
        assertThat(list(sidecar, "ports").stream().map(p -> (Integer) p.get("containerPort")).toList())
                .containsExactlyInAnyOrder(grpc, http, metrics);
        // probes: gRPC health on the gRPC port, /readyz on the HTTP port
        assertThat(map(map(sidecar, "startupProbe"), "grpc")).containsEntry("port", grpc);
        assertThat(map(map(sidecar, "livenessProbe"), "grpc")).containsEntry("port", grpc);
        assertThat(map(map(sidecar, "readinessProbe"), "httpGet")).containsEntry("path", "/readyz").containsEntry("port", http);

        // the Unix socket's directory is a volume shared with the agent, which is told where it is
        String socketDir = config.server().grpcUds().orElseThrow().getParent().toString();
        assertThat(mount(sidecar, "socket")).isEqualTo(socketDir);
        Map<String, Object> agent = list(pod, "containers").getFirst();
        assertThat(mount(agent, "socket")).isEqualTo(socketDir);
        assertThat(list(agent, "env")).anySatisfy(e -> assertThat(e).containsEntry("name", "MEMSIDECAR_UNIX")
                .containsEntry("value", config.server().grpcUds().orElseThrow().toString()));
        assertThat(map(volume(pod, "socket"), "emptyDir")).isNotNull();
        // writable places on a read-only root: the data dir and /tmp
        assertThat(mount(sidecar, "data")).isEqualTo(config.dataDir().toString());
        assertThat(mount(sidecar, "tmp")).isEqualTo("/tmp");
        // a memory limit, and a grace period longer than the server's own drain
        assertThat(map(map(sidecar, "resources"), "limits")).containsKey("memory");
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan((int) config.server().shutdownTimeout().toSeconds());

        if (overlay.endsWith("scale-out")) {
            assertThat((Integer) map(deployment, "spec").get("replicas")).isGreaterThan(1);
            assertThat(config.backends()).extracting(MemsidecarConfig.BackendConfig::driver).contains("postgres", "s3");
            Map<String, Object> labels = map(map(map(deployment, "spec"), "selector"), "matchLabels");
            assertThat(map(map(only(docs, "PodDisruptionBudget"), "spec"), "selector")).containsEntry("matchLabels", labels);
            Map<String, Object> service = only(docs, "Service");
            assertThat(map(service, "spec")).containsEntry("selector", labels);
            assertThat(list(map(service, "spec"), "ports")).anySatisfy(p -> assertThat(p).containsEntry("name", "metrics")
                    .containsEntry("port", metrics));
            Map<String, Object> monitor = only(docs, "ServiceMonitor");
            assertThat(list(map(monitor, "spec"), "endpoints")).anySatisfy(e -> assertThat(e).containsEntry("port", "metrics")
                    .containsEntry("path", config.telemetry().metrics().prometheusPath()));
        }
    }

    private static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> render(String overlay) throws Exception {
        boolean kubectl = new ProcessBuilder("bash", "-c", "command -v kubectl").start().waitFor() == 0;
        if (!kubectl && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but kubectl is missing: .ci/run installs it");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl, "kubectl not installed; manifest test skipped");
        Process p = new ProcessBuilder("kubectl", "kustomize", overlay).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        var docs = new ArrayList<Map<String, Object>>();
        new Yaml().loadAll(out).forEach(d -> docs.add((Map<String, Object>) d));
        return docs;
    }

    private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        var found = docs.stream().filter(d -> d.get("kind").equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, Object> volume(Map<String, Object> pod, String name) {
        return list(pod, "volumes").stream().filter(v -> v.get("name").equals(name)).findFirst().orElseThrow();
    }

    private static String mount(Map<String, Object> container, String volume) {
        return list(container, "volumeMounts").stream().filter(m -> m.get("name").equals(volume)).findFirst()
                .orElseThrow(() -> new AssertionError(container.get("name") + " does not mount " + volume))
                .get("mountPath").toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> m, String key) {
        assertThat(m).containsKey(key);
        return (Map<String, Object>) m.get(key);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> m, String key) {
        assertThat(m).containsKey(key);
        return (List<Map<String, Object>>) m.get(key);
    }
}
