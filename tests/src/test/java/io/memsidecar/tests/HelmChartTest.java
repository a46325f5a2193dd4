package io.memsidecar.tests;

import static io.memsidecar.tests.KubernetesManifestTest.ROOT;
import static io.memsidecar.tests.Manifests.list;
import static io.memsidecar.tests.Manifests.map;
import static io.memsidecar.tests.Manifests.only;
import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.server.config.MemsidecarConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Helm chart (k8s/helm/memsidecar) with the real Helm (v4, built by k8s/helm/tools.sh): lint
 * --strict, every documented values combination rendered, each object validated against the Kubernetes
 * API's schemas (kubernetes-validate), and the same checks as the Kustomize manifests — restricted pod,
 * config valid for ConfigLoader with every secret it names wired, ports and probes on its listeners, the
 * socket shared with the agent — plus the chart's own parts (Service, PDB, HPA, ServiceMonitor, TLS and
 * its Certificate). The chart's sidecar is k8s/base's, field for field, so the two cannot drift.
 */
class HelmChartTest {
    private static final String CHART = "k8s/helm/memsidecar";

    @TempDir
    Path dir;

    private record Result(int code, String output) {
    }

    /** k8s/helm/tools.sh ARGS in the repository's root. */
    private static Result tools(String... args) throws Exception {
        var command = new ArrayList<>(List.of("k8s/helm/tools.sh"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(15, TimeUnit.MINUTES)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static List<String> withValues(String values, String... args) {
        var all = new ArrayList<>(List.of(args));
        if (!values.isEmpty()) {
            all.addAll(List.of("-f", CHART + "/" + values));
        }
        return all;
    }

    private List<Map<String, Object>> render(String values) throws Exception {
        var r = tools(withValues(values, "helm", "template", "my-agent", CHART).toArray(String[]::new));
        assertThat(r.code()).as(r.output()).isZero();
        Path file = dir.resolve("rendered.yaml");
        Files.writeString(file, r.output());
        var valid = tools("validate", file.toString());
        assertThat(valid.code()).as(valid.output()).isZero();
        assertThat(valid.output()).as("every object passes the API schema (CRDs excepted)").doesNotContain("ERROR")
                .doesNotContain("FAIL");
        return Manifests.parse(r.output());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "examples/sidecar-scale-out.yaml", "examples/standalone.yaml",
            "examples/standalone-scale-out.yaml", "examples/sidecar-jwt.yaml"})
    void everyDocumentedCombinationLintsRendersValidAndIsWired(String values) throws Exception {
        var lint = tools(withValues(values, "helm", "lint", "--strict", CHART).toArray(String[]::new));
        assertThat(lint.code()).as(lint.output()).isZero();

        List<Map<String, Object>> docs = render(values);
        Map<String, Object> deployment = only(docs, "Deployment");
        Map<String, Object> pod = map(map(map(deployment, "spec"), "template"), "spec");
        Manifests.assertRestricted(pod);
        boolean sidecarMode = pod.containsKey("initContainers");
        Map<String, Object> container = sidecarMode ? KubernetesManifestTest.sidecar(pod)
                : list(pod, "containers").stream().filter(c -> c.get("name").equals("memsidecar")).findFirst().orElseThrow();
        KubernetesManifestTest.assertMatchesTheImage(pod, container);
        assertThat(list(container, "volumeMounts")).as("the config is mounted as a directory, so changes reach the file")
                .allSatisfy(m -> assertThat(m).doesNotContainKey("subPath"));

        var mounted = Manifests.mountedConfig(docs, pod, container, dir);
        MemsidecarConfig config = mounted.config();
        Manifests.assertWiredToConfig(pod, container, config);
        Map<String, Object> labels = map(map(map(deployment, "spec"), "selector"), "matchLabels");
        assertThat(map(map(map(deployment, "spec"), "template"), "metadata")).containsEntry("labels", labels);

        if (sidecarMode) {
            assertThat(container).containsEntry("restartPolicy", "Always");
            Map<String, Object> agent = list(pod, "containers").getFirst();
            Manifests.assertAgentSharesTheSocket(pod, container, agent, config);
            assertThat(Manifests.secretOf(agent, "MEMSIDECAR_TOKEN")).containsEntry("name", "memsidecar-agent");
        } else {
            assertThat(config.server().grpcUds()).isEmpty();
            Map<String, Object> service = docs.stream().filter(d -> d.get("kind").equals("Service")).findFirst().orElseThrow();
            assertThat(map(service, "spec")).containsEntry("selector", labels);
            assertThat(list(map(service, "spec"), "ports").stream().map(p -> p.get("port")).toList())
                    .containsExactlyInAnyOrder(7777, 8080, 9090);
        }
        if (values.contains("scale-out")) {
            assertThat(config.backends()).extracting(MemsidecarConfig.BackendConfig::driver).containsExactlyInAnyOrder("postgres", "s3");
            assertThat(config.namespaces()).allSatisfy(ns -> assertThat(ns.backend())
                    .isEqualTo(ns.block().equals("artifact") ? "s3" : "pg"));
            assertThat(Manifests.secretOf(container, "MEMSIDECAR_PG_DSN")).containsEntry("name", "memsidecar-postgres");
            assertThat(Manifests.secretOf(container, "MEMSIDECAR_S3_SECRET_KEY")).containsEntry("name", "memsidecar-s3");
        }
        if (values.contains("standalone-scale-out")) {
            assertThat(map(map(only(docs, "PodDisruptionBudget"), "spec"), "selector")).containsEntry("matchLabels", labels);
            Map<String, Object> hpa = only(docs, "HorizontalPodAutoscaler");
            assertThat(map(map(hpa, "spec"), "scaleTargetRef")).containsEntry("name", map(deployment, "metadata").get("name"));
            assertThat(map(deployment, "spec")).as("the autoscaler owns the replica count").doesNotContainKey("replicas");
            assertThat(list(pod, "topologySpreadConstraints")).extracting(c -> c.get("topologyKey"))
                    .contains("kubernetes.io/hostname", "topology.kubernetes.io/zone");
            // TLS from the Secret cert-manager fills; client certificates required
            String secret = map(Manifests.volume(pod, "tls"), "secret").get("secretName").toString();
            assertThat(map(only(docs, "Certificate"), "spec")).containsEntry("secretName", secret);
            var tls = config.server().tls().orElseThrow();
            assertThat(mounted.yaml()).contains("cert_file: " + Manifests.mount(container, "tls") + "/tls.crt");
            assertThat(tls.clientCaFile()).isPresent();
            assertThat(tls.requireClientCert()).isTrue();
        }
        if (values.contains("sidecar-scale-out")) {
            assertThat(config.encryption()).isPresent();
            assertThat(Manifests.secretOf(container, "MEMSIDECAR_ENCRYPTION_K2026")).containsEntry("name", "memsidecar-encryption");
        }
        if (values.contains("jwt")) {
            assertThat(config.auth().jwt()).isPresent();
            assertThat(Manifests.secretOf(container, "MEMSIDECAR_JWT_SECRET")).containsEntry("name", "memsidecar-jwt");
        }
        if (docs.stream().anyMatch(d -> d.get("kind").equals("ServiceMonitor"))) {
            Map<String, Object> service = only(docs, "Service");
            assertThat(map(service, "spec")).containsEntry("selector", labels);
            assertThat(list(map(only(docs, "ServiceMonitor"), "spec"), "endpoints")).singleElement()
                    .satisfies(e -> assertThat(e).containsEntry("port", "metrics")
                            .containsEntry("path", config.telemetry().metrics().prometheusPath()));
        }
    }

    /** The chart's default is k8s/base: the same sidecar container, field for field (the image name aside). */
    @Test
    void theChartsSidecarIsKustomizesSidecar() throws Exception {
        Map<String, Object> chart = new HashMap<>(KubernetesManifestTest.sidecar(pod(render(""))));
        Map<String, Object> base = new HashMap<>(KubernetesManifestTest.sidecar(pod(KubernetesManifestTest.render("k8s/base"))));
        for (var c : List.of(chart, base)) {
            c.remove("image");
            c.remove("imagePullPolicy");
        }
        assertThat(chart).isEqualTo(base);
        assertThat(map(pod(render("")), "securityContext")).isEqualTo(map(pod(KubernetesManifestTest.render("k8s/base")),
                "securityContext"));
    }

    private static Map<String, Object> pod(List<Map<String, Object>> docs) {
        return map(map(map(only(docs, "Deployment"), "spec"), "template"), "spec");
    }

    @Test
    void combinationsThatCannotWorkAreRefusedWithAReason() throws Exception {
        var replicas = tools("helm", "template", "x", CHART, "--set", "mode=standalone", "--set", "replicaCount=3");
        assertThat(replicas.code()).isNotZero();
        assertThat(replicas.output()).contains("needs the shared backends: set scaleOut.enabled");
        var mode = tools("helm", "template", "x", CHART, "--set", "mode=daemonset");
        assertThat(mode.code()).isNotZero();
        assertThat(mode.output()).contains("mode must be sidecar or standalone");
    }

    /** The chart README's commands, run as printed (helm being tools.sh's). */
    @Test
    void theReadmesCommandsRunAsPrinted() throws Exception {
        String readme = Files.readString(ROOT.resolve(CHART).resolve("README.md"));
        var commands = Pattern.compile("(?m)^helm (template|lint) .*$").matcher(readme);
        int n = 0;
        while (commands.find()) {
            String line = commands.group();
            Process p = new ProcessBuilder("bash", "-c", "helm() { k8s/helm/tools.sh helm \"$@\"; }; " + line)
                    .directory(ROOT.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(line + "\n" + out).isZero();
            n++;
        }
        assertThat(n).as("commands in the README").isGreaterThanOrEqualTo(4);
    }
}
