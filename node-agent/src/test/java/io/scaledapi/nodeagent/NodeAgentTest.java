package io.scaledapi.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scaledapi.operator.KubeApiBinaries;
import io.scaledapi.operator.TestResources;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node agent on a real kube-apiserver: it binds pods, runs them as processes with what a kubelet gives a
 * container, reports readiness, restarts crashes, stops pods with SIGTERM, and balances Services with nginx. The
 * container is {@code ProbeServer.java}, run as a single-file Java program.
 */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class NodeAgentTest {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String IMAGE = "test/probe-server:1";
    static KubernetesClient client;
    static NodeAgent agent;

    @TempDir
    static Path state;

    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    String ns;

    @BeforeAll
    static void startAgent() throws IOException {
        Path source =
                Path.of("src/test/resources/probe-server/ProbeServer.java").toAbsolutePath();
        Path images = state.resolve("images.conf");
        Path redisPod = Path.of("..", "dev", "redis-pod").toAbsolutePath().normalize();
        Files.writeString(
                images, "# test images\ntest/probe-server:* = java " + source + "\nredis:* = " + redisPod + "\n");
        agent = new NodeAgent(
                client,
                new ImageCommands(images),
                state.resolve("node"),
                Path.of(".").toAbsolutePath(),
                new InetSocketAddress("127.0.0.1", 0));
        agent.start();
    }

    @AfterAll
    static void stopAgent() {
        agent.close();
    }

    @BeforeEach
    void namespace() {
        ns = TestResources.newNamespace(client);
        // No controller manager runs here to create it.
        client.serviceAccounts()
                .inNamespace(ns)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("default")
                        .endMetadata()
                        .build())
                .create();
        client.serviceAccounts()
                .inNamespace(ns)
                .resource(new ServiceAccountBuilder()
                        .withNewMetadata()
                        .withName("api")
                        .endMetadata()
                        .build())
                .create();
    }

    @Test
    void registersTheNodeWithALease() {
        await().atMost(WAIT).untilAsserted(() -> {
            var node = client.nodes().withName(NodeAgent.NODE).get();
            assertThat(node.getStatus().getConditions())
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
            var lease = client.leases()
                    .inNamespace("kube-node-lease")
                    .withName(NodeAgent.NODE)
                    .get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(NodeAgent.NODE);
            assertThat(lease.getSpec().getRenewTime()).isNotNull();
        });
    }

    @Test
    void runsAPodAsAProcessWithWhatAKubeletGivesIt() throws Exception {
        create(pod("web", Map.of("app", "web")));
        Pod pod = awaitReady("web");
        assertThat(pod.getSpec().getNodeName()).isEqualTo(NodeAgent.NODE);
        assertThat(pod.getStatus().getPodIP()).startsWith("127.0.10.");

        String base = "http://" + pod.getStatus().getPodIP() + ":8080";
        Map<String, String> env = parseEnv(get(base + "/env"));
        assertThat(env)
                .containsEntry("HOSTNAME", "web")
                .containsEntry("MY_POD_NAME", "web")
                .containsEntry("MY_NAMESPACE", ns)
                .containsEntry("MY_POD_IP", pod.getStatus().getPodIP())
                .containsEntry("GREETING", "hello")
                .containsEntry("KUBERNETES_NAMESPACE", ns);
        URI apiServer = URI.create(client.getConfiguration().getMasterUrl());
        assertThat(env)
                .containsEntry("KUBERNETES_SERVICE_HOST", apiServer.getHost())
                .containsEntry("KUBERNETES_SERVICE_PORT", Integer.toString(apiServer.getPort()));

        // The token the process gets is the pod's bound service-account token: the API server says who it is.
        String token = get(base + "/file?" + env.get("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN"));
        TokenReview review = client.resource(new TokenReviewBuilder()
                        .withNewSpec()
                        .withToken(token)
                        .endSpec()
                        .build())
                .create();
        assertThat(review.getStatus().getAuthenticated()).isTrue();
        assertThat(review.getStatus().getUser().getUsername()).isEqualTo("system:serviceaccount:" + ns + ":api");
        assertThat(review.getStatus().getUser().getExtra())
                .containsEntry("authentication.kubernetes.io/pod-name", java.util.List.of("web"));
    }

    @Test
    void anImageWithNoLocalCommandWaitsWithAReason() {
        Pod pod = pod("unknown", Map.of("app", "unknown"));
        pod.getSpec().getContainers().get(0).setImage("example.org/nothing-here:1");
        create(pod);
        await().atMost(WAIT).untilAsserted(() -> {
            Pod current = client.pods().inNamespace(ns).withName("unknown").get();
            assertThat(current.getStatus().getPhase()).isEqualTo("Pending");
            var waiting =
                    current.getStatus().getContainerStatuses().get(0).getState().getWaiting();
            assertThat(waiting.getReason()).isEqualTo(PodRunner.IMAGE_NOT_MAPPED);
            assertThat(waiting.getMessage()).contains("example.org/nothing-here:1");
        });
    }

    @Test
    void noTokenWhenThePodTurnsAutomountingOff() throws Exception {
        Pod pod = pod("tokenless", Map.of("app", "tokenless"));
        pod.getSpec().setAutomountServiceAccountToken(false);
        create(pod);
        Map<String, String> env =
                parseEnv(get("http://" + awaitReady("tokenless").getStatus().getPodIP() + ":8080/env"));
        assertThat(env)
                .doesNotContainKey("KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN")
                .containsKey("KUBERNETES_SERVICE_HOST");
    }

    @Test
    void restartsACrashedProcessAndFollowsReadiness() throws Exception {
        create(pod("crashy", Map.of("app", "crashy")));
        Pod pod = awaitReady("crashy");
        String base = "http://" + pod.getStatus().getPodIP() + ":8080";

        get(base + "/unready");
        await().atMost(WAIT)
                .until(() -> !isReady(
                        client.pods().inNamespace(ns).withName("crashy").get()));

        get(base + "/exit");
        await().atMost(WAIT).untilAsserted(() -> {
            Pod current = client.pods().inNamespace(ns).withName("crashy").get();
            assertThat(current.getStatus().getContainerStatuses().get(0).getRestartCount())
                    .isEqualTo(1);
            assertThat(current.getStatus()
                            .getContainerStatuses()
                            .get(0)
                            .getLastState()
                            .getTerminated()
                            .getExitCode())
                    .isEqualTo(3);
            assertThat(isReady(current)).isTrue();
        });
        assertThat(get(base + "/whoami")).isEqualTo("crashy");
    }

    @Test
    void restartsAContainerThatFailsItsLivenessProbe() throws Exception {
        Pod pod = pod("sick", Map.of("app", "sick"));
        pod.getSpec()
                .getContainers()
                .get(0)
                .setLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                        .withNewHttpGet()
                        .withPath("/healthz")
                        .withPort(new IntOrString("http"))
                        .endHttpGet()
                        .withPeriodSeconds(1)
                        .withFailureThreshold(2)
                        .build());
        create(pod);
        String base = "http://" + awaitReady("sick").getStatus().getPodIP() + ":8080";
        assertThat(restarts("sick")).isZero();

        get(base + "/sick");
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(restarts("sick")).isEqualTo(1);
            assertThat(isReady(client.pods().inNamespace(ns).withName("sick").get()))
                    .isTrue();
        });
        // The new process is healthy again, so it stays.
        assertThat(get(base + "/healthz")).isEqualTo("ok");
        assertThat(restarts("sick")).isEqualTo(1);
    }

    @Test
    void deletingAPodSendsSigtermAndRemovesIt() throws Exception {
        Path marker = state.resolve("terminated-" + ns);
        Pod pod = pod("stopping", Map.of("app", "stopping"));
        pod.getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVar("TERM_MARKER", marker.toString(), null));
        pod.getSpec().setTerminationGracePeriodSeconds(20L);
        create(pod);
        awaitReady("stopping");

        client.pods().inNamespace(ns).withName("stopping").delete();
        await().atMost(WAIT)
                .until(() -> client.pods().inNamespace(ns).withName("stopping").get() == null);
        assertThat(marker).content().isEqualTo("terminated stopping\n");
    }

    @Test
    void aServiceIsBalancedOverItsReadyPodsOnly() throws Exception {
        create(pod("api-a", Map.of("app", "api", "replica", "a")));
        create(pod("api-b", Map.of("app", "api", "replica", "b")));
        create(pod("other", Map.of("app", "other")));
        client.services()
                .inNamespace(ns)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("api")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "api")
                        .addNewPort()
                        .withName("http")
                        .withPort(80)
                        .withTargetPort(new IntOrString("http"))
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        awaitReady("api-a");
        Pod b = awaitReady("api-b");
        awaitReady("other");

        await().atMost(WAIT).untilAsserted(() -> {
            String address = agent.serviceAddress(ns, "api", 80);
            assertThat(address).isNotNull();
            assertThat(podsAnswering("http://" + address)).containsExactlyInAnyOrder("api-a", "api-b");
        });

        get("http://" + b.getStatus().getPodIP() + ":8080/unready");
        await().atMost(WAIT).untilAsserted(() -> {
            String address = agent.serviceAddress(ns, "api", 80);
            assertThat(podsAnswering("http://" + address)).containsExactly("api-a");
        });
    }

    @Test
    void aRedisPodGetsItsArgsAndATcpServiceThatOtherPodsFindByName() throws Exception {
        create(new PodBuilder()
                .withNewMetadata()
                .withName("cache")
                .addToLabels("app", "cache")
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .addNewContainer()
                .withName("redis")
                .withImage("redis:7.2")
                .withCommand("redis-server")
                .withArgs(
                        "--port",
                        "6379",
                        "--maxmemory",
                        "1000000",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        "/data")
                .addNewPort()
                .withName("redis")
                .withContainerPort(6379)
                .endPort()
                .endContainer()
                .endSpec()
                .build());
        client.services()
                .inNamespace(ns)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("cache")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "cache")
                        .addNewPort()
                        .withName("redis")
                        .withAppProtocol("redis")
                        .withPort(6379)
                        .withTargetPort(new IntOrString("redis"))
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        Pod web = pod("web-redis", Map.of("app", "web-redis"));
        web.getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVar(
                        "REDIS_URL", "redis://cache." + ns + ".svc:6379/0", null));
        create(web);
        awaitReady("cache");
        Pod ready = awaitReady("web-redis");

        // The Service's cluster name in an env value became the proxy's address for it, as DNS and kube-proxy would.
        Map<String, String> env = parseEnv(get("http://" + ready.getStatus().getPodIP() + ":8080/env"));
        await().atMost(WAIT).until(() -> agent.serviceAddress(ns, "cache", 6379) != null);
        String address = agent.serviceAddress(ns, "cache", 6379);
        assertThat(env).containsEntry("REDIS_URL", "redis://" + address + "/0");
        // Proxied as TCP: Redis's own protocol answers, with the container's args in effect (the connection is reset
        // until nginx has reloaded with the pod as the Service's endpoint).
        await().atMost(WAIT).ignoreExceptionsInstanceOf(IOException.class).untilAsserted(() -> {
            assertThat(redis(address, "PING")).isEqualTo("+PONG");
            assertThat(redis(address, "CONFIG GET maxmemory")).contains("1000000");
        });
    }

    /** One inline command to a Redis at host:port, and its reply's lines joined with '|'. */
    private static String redis(String address, String command) throws IOException {
        String[] hostPort = address.split(":");
        try (java.net.Socket socket = new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(2000);
            socket.getOutputStream()
                    .write((command + "\r\nQUIT\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String reply =
                    new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return String.join("|", reply.replace("\r\n+OK\r\n", "").strip().split("\r\n"));
        }
    }

    @Test
    void aPreStopSleepKeepsTheProcessServingAfterTheServiceDroppedIt() throws Exception {
        Path marker = state.resolve("terminated-prestop-" + ns);
        Pod leaving = pod("leaving", Map.of("app", "web", "replica", "leaving"));
        leaving.getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVar("TERM_MARKER", marker.toString(), null));
        leaving.getSpec()
                .getContainers()
                .get(0)
                .setLifecycle(new io.fabric8.kubernetes.api.model.LifecycleBuilder()
                        .withNewPreStop()
                        .withNewSleep()
                        .withSeconds(8L)
                        .endSleep()
                        .endPreStop()
                        .build());
        create(leaving);
        create(pod("staying", Map.of("app", "web", "replica", "staying")));
        client.services()
                .inNamespace(ns)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("web")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "web")
                        .addNewPort()
                        .withPort(80)
                        .withTargetPort(new IntOrString(8080))
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        String direct = "http://" + awaitReady("leaving").getStatus().getPodIP() + ":8080";
        awaitReady("staying");
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(agent.serviceAddress(ns, "web", 80)).isNotNull());
        String service = "http://" + agent.serviceAddress(ns, "web", 80);

        client.pods().inNamespace(ns).withName("leaving").delete();
        // The Service stops sending to the terminating pod while its process, not yet sent SIGTERM, still answers.
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(podsAnswering(service)).containsExactly("staying");
            assertThat(get(direct + "/whoami")).isEqualTo("leaving");
            assertThat(marker).doesNotExist();
        });
        await().atMost(WAIT)
                .until(() -> client.pods().inNamespace(ns).withName("leaving").get() == null);
        assertThat(marker).content().isEqualTo("terminated leaving\n");
    }

    @Test
    void aCpuLimitHoldsThePodAndItsChildrenToTheirQuota() throws Exception {
        Pod pod = pod("busy", Map.of("app", "busy"));
        pod.getSpec()
                .getContainers()
                .get(0)
                .setResources(new ResourceRequirementsBuilder()
                        .addToLimits("cpu", new Quantity("250m"))
                        .build());
        create(pod);
        String base = "http://" + awaitReady("busy").getStatus().getPodIP() + ":8080";
        // Two busy children would take both cores of this machine; the pod's quota holds all of them to a quarter.
        get(base + "/burn?children=2");
        Path group = groupOf("busy");
        assertThat(group).isDirectory();
        double[] first = {cpuSeconds("busy"), System.nanoTime() / 1e9};
        await().atMost(WAIT).untilAsserted(() -> {
            double seconds = System.nanoTime() / 1e9 - first[1];
            assertThat(seconds).isGreaterThan(5);
            double cores = (cpuSeconds("busy") - first[0]) / seconds;
            assertThat(cores).isBetween(0.2, 0.3);
        });
        assertThat(memoryBytes("busy")).isGreaterThan(10L << 20);

        // Deleting the pod stops its process, kills the children it left behind, and removes the group.
        client.pods().inNamespace(ns).withName("busy").withGracePeriod(2).delete();
        await().atMost(WAIT)
                .until(() -> client.pods().inNamespace(ns).withName("busy").get() == null);
        await().atMost(WAIT).untilAsserted(() -> assertThat(group).doesNotExist());
    }

    @Test
    void aPodPastItsMemoryLimitIsOomKilledAndRestarted() throws Exception {
        Pod pod = pod("greedy", Map.of("app", "greedy"));
        pod.getSpec()
                .getContainers()
                .get(0)
                .setResources(new ResourceRequirementsBuilder()
                        .addToLimits("memory", new Quantity("256Mi"))
                        .build());
        // A heap bound above the limit, so that the kernel, not the JVM, stops the growth.
        pod.getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .add(new io.fabric8.kubernetes.api.model.EnvVar("JAVA_TOOL_OPTIONS", "-Xmx1g", null));
        create(pod);
        String base = "http://" + awaitReady("greedy").getStatus().getPodIP() + ":8080";
        get(base + "/allocate?mb=600");
        await().atMost(WAIT).untilAsserted(() -> {
            Pod current = client.pods().inNamespace(ns).withName("greedy").get();
            var status = current.getStatus().getContainerStatuses().get(0);
            assertThat(status.getRestartCount()).isEqualTo(1);
            assertThat(status.getLastState().getTerminated().getReason()).isEqualTo("OOMKilled");
            assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(137);
            assertThat(isReady(current)).isTrue();
        });
    }

    @Test
    void aSlowStarterIsNotRestartedWhileItsStartupProbeWaits() {
        Pod pod = pod("slow", Map.of("app", "slow"));
        var container = pod.getSpec().getContainers().get(0);
        container.getEnv().add(new io.fabric8.kubernetes.api.model.EnvVar("START_DELAY_SECONDS", "8", null));
        // Liveness alone would give up after 2 s; the startup probe allows 30 s and holds liveness back until it
        // passes.
        container.setLivenessProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                .withNewHttpGet()
                .withPath("/healthz")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(2)
                .build());
        container.setStartupProbe(new io.fabric8.kubernetes.api.model.ProbeBuilder()
                .withNewHttpGet()
                .withPath("/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(30)
                .build());
        create(pod);
        await().atMost(WAIT).untilAsserted(() -> {
            var status = client.pods()
                    .inNamespace(ns)
                    .withName("slow")
                    .get()
                    .getStatus()
                    .getContainerStatuses();
            assertThat(status).isNotEmpty();
            assertThat(status.get(0).getStarted()).isFalse();
        });
        Pod ready = awaitReady("slow");
        var status = ready.getStatus().getContainerStatuses().get(0);
        assertThat(status.getStarted()).isTrue();
        assertThat(status.getRestartCount()).isZero();
    }

    /** The pod's cgroup directory in the cpu hierarchy (v1) or the unified one (v2). */
    private Path groupOf(String name) {
        String uid =
                client.pods().inNamespace(ns).withName(name).get().getMetadata().getUid();
        try {
            PodCgroups found = PodCgroups.find(
                    Files.readAllLines(Path.of("/proc/self/mountinfo")),
                    Files.readAllLines(Path.of("/proc/self/cgroup")));
            return found.parent("cpu").resolve("pod" + uid);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private double cpuSeconds(String pod) throws IOException, InterruptedException {
        return resourceMetric("pod_cpu_usage_seconds_total", pod);
    }

    private long memoryBytes(String pod) throws IOException, InterruptedException {
        return (long) resourceMetric("pod_memory_working_set_bytes", pod);
    }

    /** One pod's value from the agent's kubelet-style resource metrics. */
    private double resourceMetric(String metric, String pod) throws IOException, InterruptedException {
        String prefix = metric + "{namespace=\"" + ns + "\",pod=\"" + pod + "\"} ";
        String text = get("http://127.0.0.1:" + agent.metricsAddress().getPort() + "/metrics/resource");
        return text.lines()
                .filter(l -> l.startsWith(prefix))
                .map(l -> Double.parseDouble(l.substring(prefix.length()).split(" ")[0]))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in\n" + text));
    }

    @Test
    void resizesARunningContainerInPlaceThroughTheResizeSubresource() throws Exception {
        Pod spec = pod("resized", Map.of("app", "resized"));
        spec.getSpec()
                .getContainers()
                .get(0)
                .setResources(new ResourceRequirementsBuilder()
                        .addToRequests("cpu", new Quantity("100m"))
                        .addToRequests("memory", new Quantity("64Mi"))
                        .addToLimits("cpu", new Quantity("800m"))
                        .addToLimits("memory", new Quantity("256Mi"))
                        .build());
        create(spec);
        Pod pod = awaitReady("resized");
        Optional<PodCgroups> cgroups = PodCgroups.detect();
        cgroups.ifPresent(c -> assertThat(cpuQuota(c, pod)).isEqualTo(80_000));

        client.pods()
                .inNamespace(ns)
                .withName("resized")
                .subresource("resize")
                .patch(
                        PatchContext.of(PatchType.STRATEGIC_MERGE),
                        "{\"spec\":{\"containers\":[{\"name\":\"server\",\"resources\":{\"limits\":{\"cpu\":\"200m\"}}}]}}");

        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(client.pods()
                                .inNamespace(ns)
                                .withName("resized")
                                .get()
                                .getStatus()
                                .getContainerStatuses()
                                .get(0)
                                .getResources()
                                .getLimits()
                                .get("cpu"))
                        .isEqualTo(new Quantity("200m")));
        cgroups.ifPresent(c -> assertThat(cpuQuota(c, pod)).isEqualTo(20_000));
        Pod after = client.pods().inNamespace(ns).withName("resized").get();
        assertThat(after.getStatus().getContainerStatuses().get(0).getRestartCount())
                .as("resized without a restart")
                .isZero();
    }

    /** The CPU quota (microseconds per 100 ms) the pod's cgroup has. */
    private static long cpuQuota(PodCgroups cgroups, Pod pod) {
        Path dir = cgroups.parent("cpu").resolve("pod" + pod.getMetadata().getUid());
        try {
            Path v1 = dir.resolve("cpu.cfs_quota_us");
            return Files.exists(v1)
                    ? Long.parseLong(Files.readString(v1).strip())
                    : Long.parseLong(
                            Files.readString(dir.resolve("cpu.max")).strip().split(" ")[0]);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Pod pod(String name, Map<String, String> labels) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withServiceAccountName("api")
                .addNewContainer()
                .withName("server")
                .withImage(IMAGE)
                .addNewPort()
                .withName("http")
                .withContainerPort(8080)
                .endPort()
                .addNewEnv()
                .withName("PORT")
                .withValue("8080")
                .endEnv()
                .addNewEnv()
                .withName("GREETING")
                .withValue("hello")
                .endEnv()
                .addNewEnv()
                .withName("MY_POD_NAME")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("MY_NAMESPACE")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.namespace")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewEnv()
                .withName("MY_POD_IP")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("status.podIP")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/ready")
                .withPort(new IntOrString("http"))
                .endHttpGet()
                .withPeriodSeconds(1)
                .endReadinessProbe()
                .endContainer()
                .endSpec()
                .build();
    }

    /** Which pods answer 20 requests to a Service address (nginx balances round-robin). */
    private Set<String> podsAnswering(String base) throws IOException, InterruptedException {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            seen.add(get(base + "/whoami"));
        }
        return seen;
    }

    private int restarts(String name) {
        return client.pods()
                .inNamespace(ns)
                .withName(name)
                .get()
                .getStatus()
                .getContainerStatuses()
                .get(0)
                .getRestartCount();
    }

    private void create(Pod pod) {
        client.pods().inNamespace(ns).resource(pod).create();
    }

    private Pod awaitReady(String name) {
        await().atMost(WAIT)
                .until(() ->
                        isReady(client.pods().inNamespace(ns).withName(name).get()));
        return client.pods().inNamespace(ns).withName(name).get();
    }

    private static boolean isReady(Pod pod) {
        return pod != null
                && pod.getStatus() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c ->
                                c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    private String get(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        return response.body();
    }

    private static Map<String, String> parseEnv(String text) {
        Map<String, String> env = new java.util.TreeMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                env.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return env;
    }
}
