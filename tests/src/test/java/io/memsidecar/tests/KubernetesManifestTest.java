package io.memsidecar.tests;

import static io.memsidecar.tests.Manifests.list;
import static io.memsidecar.tests.Manifests.map;
import static io.memsidecar.tests.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.server.config.MemsidecarConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every k8s/ overlay rendered with {@code kubectl kustomize} (no cluster): the pod is restricted, the
 * sidecar is native, and its ports, probes, user, mounts, ConfigMap and Secret wiring agree with the
 * image (packaging/Containerfile.scratch and the top-level Containerfile) and with the config it mounts.
 */
class KubernetesManifestTest {
    static final Path ROOT = Path.of(System.getProperty("memsidecar.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/scale-out"})
    void overlaysRenderToARestrictedNativeSidecarWiredToTheImageAndItsConfig(String overlay) throws Exception {
        List<Map<String, Object>> docs = render(overlay);
        Map<String, Object> deployment = only(docs, "Deployment");
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Manifests.assertRestricted(pod);

        // the native sidecar form, running as the image's user, on the image's ports
        Map<String, Object> sidecar = sidecar(pod);
        assertThat(sidecar).containsEntry("restartPolicy", "Always");
        assertMatchesTheImage(pod, sidecar);

        var mounted = Manifests.mountedConfig(docs, pod, sidecar, dir);
        MemsidecarConfig config = mounted.config();
        // the public key comes from the Secret memsidecar-auth
        assertThat(Manifests.secretOf(sidecar, "MEMSIDECAR_AUTH__PASETO__PUBLIC_KEY_HEX")).containsEntry("name", "memsidecar-auth")
                .containsEntry("key", "public_key_hex");
        Manifests.assertWiredToConfig(pod, sidecar, config);
        Manifests.assertAgentSharesTheSocket(pod, sidecar, list(pod, "containers").getFirst(), config);

        if (overlay.endsWith("scale-out")) {
            assertThat((Integer) map(deployment, "spec").get("replicas")).isGreaterThan(1);
            assertThat(config.backends()).extracting(MemsidecarConfig.BackendConfig::driver).contains("postgres", "s3");
            Map<String, Object> labels = map(map(map(deployment, "spec"), "selector"), "matchLabels");
            assertThat(map(map(only(docs, "PodDisruptionBudget"), "spec"), "selector")).containsEntry("matchLabels", labels);
            Map<String, Object> service = only(docs, "Service");
            assertThat(map(service, "spec")).containsEntry("selector", labels);
            int metrics = Manifests.port(config.telemetry().metrics().prometheusAddr());
            assertThat(list(map(service, "spec"), "ports")).anySatisfy(p -> assertThat(p).containsEntry("name", "metrics")
                    .containsEntry("port", metrics));
            Map<String, Object> monitor = only(docs, "ServiceMonitor");
            assertThat(list(map(monitor, "spec"), "endpoints")).anySatisfy(e -> assertThat(e).containsEntry("port", "metrics")
                    .containsEntry("path", config.telemetry().metrics().prometheusPath()));
        }
    }

    static Map<String, Object> sidecar(Map<String, Object> pod) {
        return list(pod, "initContainers").stream().filter(c -> c.get("name").equals("memsidecar")).findFirst().orElseThrow();
    }

    /** The pod runs as the image's user and the container opens the ports the image exposes. */
    static void assertMatchesTheImage(Map<String, Object> pod, Map<String, Object> container) throws Exception {
        Map<String, Object> podSecurity = map(pod, "securityContext");
        for (String containerfile : List.of("packaging/Containerfile.scratch", "Containerfile")) {
            String text = Files.readString(ROOT.resolve(containerfile));
            assertThat(text).as(containerfile).contains("USER " + podSecurity.get("runAsUser") + ":" + podSecurity.get("runAsGroup"));
            var expose = Pattern.compile("(?m)^EXPOSE (.*)$").matcher(text);
            assertThat(expose.find()).as(containerfile).isTrue();
            assertThat(list(container, "ports").stream().map(p -> p.get("containerPort").toString()).toList())
                    .as(containerfile).containsExactlyInAnyOrder(expose.group(1).strip().split(" +"));
        }
    }

    static List<Map<String, Object>> render(String overlay) throws Exception {
        boolean kubectl = new ProcessBuilder("bash", "-c", "command -v kubectl").start().waitFor() == 0;
        if (!kubectl && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but kubectl is missing: .ci/run installs it");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl, "kubectl not installed; manifest test skipped");
        Process p = new ProcessBuilder("kubectl", "kustomize", overlay).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return Manifests.parse(out);
    }
}
