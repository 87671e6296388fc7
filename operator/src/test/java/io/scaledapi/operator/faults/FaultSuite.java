package io.scaledapi.operator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.operator.TestResources;
import io.scaledapi.operator.api.MalformedScaledApis;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.owned.OwnedObjects;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code dev/faults}: the operator's failure modes with real processes, each a named check, against the local cluster
 * that dev/faults starts (its PIDs in {@code SCALEDAPI_CLUSTER_DIR}), on the real node: the operator scales real
 * Deployments whose pods run {@link FaultPod}, whose load and metrics the checks set through {@link FaultPodControl}.
 * Everything stays on this machine, every wait is bounded, everything started is stopped by PID, and each check's
 * namespace is deleted after it. The last line is {@code N passed, M failed}. Arguments, if any, pick checks by number.
 */
public final class FaultSuite {

    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path CLUSTER =
            Path.of(System.getenv().getOrDefault("SCALEDAPI_CLUSTER_DIR", "/tmp/scaledapi-faults"));
    private static final Path LOGS = CLUSTER.resolve("logs");
    /** Every ScaledApi here targets 100 req/s a replica: its replicas are its load in hundreds, rounded up. */
    private static final double TARGET = 100;

    /** The fault pods' image, which dev/faults builds and imports (dev/images fault-pod). */
    private static final String IMAGE = "scaledapi/fault-pod:dev";

    /** Small, so that one check's 64 pods fit the node beside everything else. */
    private static final ResourceRequirements POD_RESOURCES = new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("10m"))
            .addToRequests("memory", new Quantity("64Mi"))
            .addToLimits("cpu", new Quantity("100m"))
            .addToLimits("memory", new Quantity("128Mi"))
            .build();
    /**
     * The longest a standby can need after the leader dies, with JOSDK's defaults (15 s lease, 2 s retry period): a
     * candidate measures the lease from when it saw the last renewal, and polls every retry period stretched by
     * fabric8's jitter factor (1.2) up to 4.4 s. So: a poll to see the last renewal, the lease, a poll to see it lapse.
     */
    /** More than the operator's 32 scrapes in flight: were they all this ScaledApi's, the other would wait. */
    private static final int HANGING_PODS = 64;

    private static final Duration TAKEOVER_BOUND = Duration.ofMillis(15_000 + 2 * 4_400);

    private final KubernetesClient client = new KubernetesClientBuilder().build();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final FaultPodControl control;

    private FaultSuite() throws IOException {
        String address = System.getenv("FAULT_CONTROL_ADDRESS");
        if (address == null || address.isBlank()) {
            throw new IllegalStateException("FAULT_CONTROL_ADDRESS (the node's address) is not set: run dev/faults");
        }
        control = new FaultPodControl(address);
    }

    interface Check {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        FaultSuite suite = new FaultSuite();
        Map<String, Check> checks = new LinkedHashMap<>();
        checks.put("operator killed with SIGKILL mid scale-up", suite::killedMidScaleUp);
        checks.put("kube-apiserver away for 30 s", suite::apiServerAway);
        checks.put("broken metrics endpoints", suite::brokenMetricsEndpoints);
        checks.put("50 malformed ScaledApis at once", suite::malformedAtOnce);
        checks.put("leader killed, the standby takes over", suite::leaderKilled);
        checks.put("etcd restarted while scaling", suite::etcdRestarted);
        checks.put(
                "64 hanging pods in one namespace, a normal ScaledApi in another", suite::hangingPodsBesideANormalOne);
        List<String> picked = List.of(args);
        int passed = 0;
        int failed = 0;
        int number = 0;
        for (Map.Entry<String, Check> check : checks.entrySet()) {
            number++;
            if (!picked.isEmpty() && !picked.contains(Integer.toString(number))) {
                continue;
            }
            String name = number + ". " + check.getKey();
            System.out.println("--- " + name);
            long start = System.nanoTime();
            try {
                check.getValue().run();
                passed++;
                System.out.printf(Locale.ROOT, "PASS %s (%.0f s)%n", name, (System.nanoTime() - start) / 1e9);
            } catch (Throwable e) {
                failed++;
                String message = e.getMessage() != null ? e.getMessage() : e + " at " + where(e);
                System.out.printf(
                        Locale.ROOT,
                        "FAIL %s (%.0f s): %s%n",
                        name,
                        (System.nanoTime() - start) / 1e9,
                        message.length() > 2000 ? message.substring(0, 2000) + " ..." : message);
            } finally {
                suite.stopStarted();
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * 1. A new process converges to the replicas the killed one was heading for, owns one of each object, and does
     * not scale down in its first window (it restores the checkpoint the old one saved on its scale event).
     */
    void killedMidScaleUp() throws Exception {
        String ns = namespace("fault-kill");
        scaledApi(ns, "surge", 2, 12);
        control.load(ns, "surge", 100);
        OperatorProcess first = operator("kill-1", ns, Map.of());
        awaitMetrics(ns, "surge");
        control.load(ns, "surge", 860); // 9 replicas, or 8 within the tolerance (see awaitReplicasFor)
        await("the first scale-up step").atMost(Duration.ofSeconds(30)).until(() -> replicas(ns, "surge") > 2);
        first.kill();
        int atKill = replicas(ns, "surge");
        System.out.println("  killed the operator (SIGKILL) at " + atKill + " replicas");
        AtomicInteger lowest = new AtomicInteger(atKill);
        try (Watch watch = watchReplicas(ns, "surge", lowest)) {
            operator("kill-2", ns, Map.of());
            awaitReplicasFor(ns, "surge", 860, Duration.ofSeconds(90));
        }
        assertThat(lowest.get())
                .as("replicas never went below where the killed process left them")
                .isGreaterThanOrEqualTo(atKill);
        // The checkpoint of the new process's scale is saved on its next tick.
        await("one of each owned object")
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(owned(ns, "surge"))
                        .as("owned objects by kind")
                        .containsExactlyInAnyOrderEntriesOf(
                                Map.of("Deployment", 1, "Service", 1, "PodDisruptionBudget", 1, "ConfigMap", 1)));
    }

    /**
     * 2. The operator neither exits nor restarts while the API server is away: /healthz (liveness) stays 200,
     * /readyz says 503, and once the API server is back it is ready again and decides.
     */
    void apiServerAway() throws Exception {
        String ns = namespace("fault-outage");
        scaledApi(ns, "steady", 1, 10);
        control.load(ns, "steady", 180); // 2 replicas
        OperatorProcess operator = operator("outage", ns, Map.of());
        awaitMetrics(ns, "steady");
        awaitReplicas(ns, "steady", 2, Duration.ofSeconds(30));
        // SIGTERM: the API server drains its requests first (up to a minute with a node's watches open); the 30 s
        // away count from when it is gone.
        stopComponent("kube-apiserver");
        long outageStart = System.nanoTime();
        await("/readyz says 503 while the API server is away")
                .atMost(Duration.ofSeconds(25))
                .until(() -> operator.probe("/readyz") == 503);
        Duration left = Duration.ofSeconds(30).minusNanos(System.nanoTime() - outageStart);
        if (!left.isNegative()) {
            await("/healthz answers 200 and the process runs through the outage")
                    .during(left)
                    .atMost(left.plusSeconds(5))
                    .until(() -> operator.alive() && operator.probe("/healthz") == 200);
        }
        assertThat(operator.probe("/readyz"))
                .as("/readyz at the end of the outage")
                .isEqualTo(503);
        System.out.printf(
                Locale.ROOT,
                "  API server stopped for %.0f s: /healthz 200 throughout, /readyz 503%n",
                (System.nanoTime() - outageStart) / 1e9);
        clusterUp();
        await("/readyz 200 once the API server is back")
                .atMost(Duration.ofSeconds(90))
                .until(() -> operator.probe("/readyz") == 200);
        control.load(ns, "steady", 760); // 8 replicas, or 7 within the tolerance
        awaitReplicasFor(ns, "steady", 760, Duration.ofSeconds(60));
        assertThat(operator.alive()).isTrue();
    }

    /**
     * 3. Pods whose metrics endpoints answer garbage, NaN, a negative counter, a counter that jumps by 10^9, a 100 MB
     * body, nothing at all, or one byte a second: replicas hold, MetricsAvailable says why, each problem is logged
     * once, and the operator's memory stays bounded.
     */
    void brokenMetricsEndpoints() throws Exception {
        String ns = namespace("fault-metrics");
        OperatorProcess operator = operator("metrics", ns, Map.of());
        Map<FaultPod.Behavior, String> why = new LinkedHashMap<>();
        why.put(FaultPod.Behavior.GARBAGE, "no http_server_requests_seconds_count series");
        why.put(FaultPod.Behavior.NAN, "invalid counters");
        why.put(FaultPod.Behavior.NEGATIVE, "invalid counters");
        why.put(FaultPod.Behavior.JUMP, null); // one absurd tick, ignored; the metrics are fine before and after
        why.put(FaultPod.Behavior.HUGE, "over 4096 KiB");
        why.put(FaultPod.Behavior.SILENT, "no full answer within");
        why.put(FaultPod.Behavior.DRIP, "no full answer within");
        for (FaultPod.Behavior behavior : why.keySet()) {
            String name = name(behavior);
            scaledApi(ns, name, 1, 10);
            // 225 req/s: 3 replicas, at 75 req/s a pod, under 80 % of the target (100): no evidence of load, so a
            // pod that stops answering counts as any unmeasured pod does (a loaded one counts saturated:
            // AutoscalerTest).
            control.load(ns, name, 225);
        }
        for (FaultPod.Behavior behavior : why.keySet()) {
            awaitReplicas(ns, name(behavior), 3, Duration.ofSeconds(90));
            awaitReadyPods(ns, name(behavior), 3, Duration.ofSeconds(90));
        }
        // Every pod scraped at its share of the load before the faults: a pod is counted once it has asked for it.
        await("every pod scraped")
                .atMost(Duration.ofSeconds(30))
                .until(() -> why.keySet().stream()
                        .allMatch(b -> "True"
                                .equals(condition(get(ns, name(b)), "MetricsAvailable")
                                        .getStatus())));
        long before = operator.rssMiB();
        why.keySet().forEach(behavior -> control.behave(ns, name(behavior), behavior));
        AtomicLong highest = new AtomicLong(before);
        await("replicas hold at 3 for 20 ticks")
                .during(Duration.ofSeconds(20))
                .atMost(Duration.ofSeconds(25))
                .until(() -> {
                    highest.accumulateAndGet(operator.rssMiB(), Math::max);
                    return operator.alive() && why.keySet().stream().allMatch(b -> replicas(ns, name(b)) == 3);
                });
        System.out.printf(
                Locale.ROOT,
                "  operator RSS %d MiB before the faults, at most %d MiB during them%n",
                before,
                highest.get());
        assertThat(highest.get())
                .as("resident memory (MiB) under the chart's 512Mi limit")
                .isLessThan(512);
        String log = operator.logText();
        for (Map.Entry<FaultPod.Behavior, String> expected : why.entrySet()) {
            String name = name(expected.getKey());
            Condition metrics = condition(get(ns, name), "MetricsAvailable");
            List<String> pods = podNames(ns, name);
            assertThat(pods).as(name + "'s pods").hasSize(3);
            if (expected.getValue() == null) {
                assertThat(metrics.getStatus()).as(name + " MetricsAvailable").isEqualTo("True");
                for (String pod : pods) {
                    assertThat(count(log, "pod " + pod + "'s request counter jumped"))
                            .as(pod + ": its jump logged once")
                            .isEqualTo(1);
                }
                continue;
            }
            assertThat(metrics.getStatus()).as(name + " MetricsAvailable").isEqualTo("False");
            assertThat(metrics.getMessage())
                    .as(name + " MetricsAvailable's message")
                    .contains(expected.getValue());
            for (String pod : pods) {
                assertThat(count(log, "pod " + pod + " "))
                        .as(pod + ": its problem logged once")
                        .isEqualTo(1);
            }
            System.out.println("  " + name + ": " + metrics.getMessage());
        }
    }

    /**
     * 7. One ScaledApi's 64 pods all hang (their metrics endpoints accept and never answer; the probes pass): they hold
     * their share of the operator's 32 in-flight scrapes for the whole timeout, never all of it, so a normal ScaledApi
     * in another namespace is still scraped every tick and scales with its load.
     */
    void hangingPodsBesideANormalOne() throws Exception {
        String hangingNs = namespace("fault-fair-a");
        String normalNs = namespace("fault-fair-b");
        OperatorProcess operator = operator("fair", hangingNs + "," + normalNs, Map.of());
        control.behave(hangingNs, "hanging", FaultPod.Behavior.SILENT);
        scaledApi(hangingNs, "hanging", HANGING_PODS, 100);
        control.load(normalNs, "normal", 100);
        scaledApi(normalNs, "normal", 2, 10);
        long starting = System.nanoTime();
        awaitReadyPods(hangingNs, "hanging", HANGING_PODS, Duration.ofSeconds(240));
        System.out.printf(
                Locale.ROOT, "  %d hanging pods ready in %.0f s%n", HANGING_PODS, (System.nanoTime() - starting) / 1e9);
        awaitMetrics(normalNs, "normal");
        long start = System.nanoTime();
        control.load(normalNs, "normal", 390); // 4 replicas (off a boundary)
        awaitReplicas(normalNs, "normal", 4, Duration.ofSeconds(30));
        System.out.printf(
                Locale.ROOT,
                "  normal scaled 2 -> 4 in %.0f s beside 64 hanging pods%n",
                (System.nanoTime() - start) / 1e9);
        assertThat(operator.alive()).isTrue();
        // Bounded, not instant: the last status written may be a tick old.
        await("hanging's MetricsAvailable is False")
                .atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(condition(get(hangingNs, "hanging"), "MetricsAvailable")
                                .getStatus())
                        .as("hanging's MetricsAvailable")
                        .isEqualTo("False"));
        Condition hangingMetrics = condition(get(hangingNs, "hanging"), "MetricsAvailable");
        assertThat(replicas(hangingNs, "hanging"))
                .as("hanging holds: its pods never answered")
                .isEqualTo(HANGING_PODS);
        System.out.println("  hanging: " + hangingMetrics.getMessage());
    }

    /** 4. 50 malformed ScaledApis at once are each refused naming the field; a valid one among them reconciles. */
    void malformedAtOnce() throws Exception {
        String ns = namespace("fault-input");
        operator("input", ns, Map.of());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            Map<Integer, Future<?>> bad = new LinkedHashMap<>();
            for (int i = 0; i < 50; i++) {
                MalformedScaledApis.Case malformed =
                        MalformedScaledApis.CASES.get(i % MalformedScaledApis.CASES.size());
                int index = i;
                bad.put(i, pool.submit(() -> malformed.create(client, ns, "bad-" + index)));
            }
            Future<?> good = pool.submit(() -> client.resource(faultPodApi(ns, "good", 1, 4))
                    .inNamespace(ns)
                    .create());
            for (Map.Entry<Integer, Future<?>> attempt : bad.entrySet()) {
                MalformedScaledApis.Case malformed =
                        MalformedScaledApis.CASES.get(attempt.getKey() % MalformedScaledApis.CASES.size());
                try {
                    attempt.getValue().get(30, TimeUnit.SECONDS);
                    throw new AssertionError("bad-" + attempt.getKey() + " (" + malformed + ") was accepted");
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause())
                            .as("bad-" + attempt.getKey())
                            .isInstanceOf(KubernetesClientException.class);
                    KubernetesClientException refused = (KubernetesClientException) e.getCause();
                    assertThat(refused.getCode())
                            .as("bad-" + attempt.getKey() + " refused with")
                            .isEqualTo(422);
                    assertThat(refused.getMessage())
                            .as("bad-" + attempt.getKey() + " (" + malformed + ")")
                            .contains(malformed.field());
                }
            }
            good.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        await("the valid one reconciles").atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.apps()
                            .deployments()
                            .inNamespace(ns)
                            .withName("good")
                            .get())
                    .isNotNull();
            ScaledApi good = get(ns, "good");
            assertThat(good.getStatus()).isNotNull();
            assertThat(good.getStatus().observedGeneration)
                    .isEqualTo(good.getMetadata().getGeneration());
        });
        assertThat(client.resources(ScaledApi.class).inNamespace(ns).list().getItems())
                .extracting(a -> a.getMetadata().getName())
                .containsExactly("good");
        System.out.println("  50 refused naming their field (" + MalformedScaledApis.CASES.size()
                + " kinds of mistake), 1 reconciled");
    }

    /** 5. Two replicas with leader election: the leader dies, the standby takes the lease in time and decides. */
    void leaderKilled() throws Exception {
        String ns = namespace("fault-leader");
        scaledApi(ns, "led", 1, 10);
        control.load(ns, "led", 180); // 2 replicas
        Map<String, OperatorProcess> replicas = new LinkedHashMap<>();
        for (String id : List.of("leader-a", "leader-b")) {
            replicas.put("operator-" + id, operator(id, ns, Map.of("LEADER_ELECTION", "true", "LEASE_NAMESPACE", ns)));
        }
        awaitMetrics(ns, "led");
        awaitReplicas(ns, "led", 2, Duration.ofSeconds(30));
        String leader = holder(ns);
        assertThat(replicas).containsKey(leader);
        replicas.get(leader).kill();
        long killed = System.nanoTime();
        String standby = replicas.keySet().stream()
                .filter(k -> !k.equals(leader))
                .findFirst()
                .orElseThrow();
        await("the standby holds the lease")
                .atMost(TAKEOVER_BOUND.plusSeconds(15))
                .until(() -> standby.equals(holder(ns)));
        double takeover = (System.nanoTime() - killed) / 1e9;
        System.out.printf(Locale.ROOT, "  %s killed; %s took the lease after %.1f s%n", leader, standby, takeover);
        assertThat(takeover).as("seconds to take over").isLessThanOrEqualTo(TAKEOVER_BOUND.toSeconds());
        control.load(ns, "led", 760); // 8 replicas, or 7 within the tolerance, decided by the new leader
        awaitReplicasFor(ns, "led", 760, Duration.ofSeconds(60));
    }

    /** 6. etcd is killed and restarted under the API server while a ScaledApi scales: nothing lost, replicas converge. */
    void etcdRestarted() throws Exception {
        String ns = namespace("fault-etcd");
        scaledApi(ns, "grow", 1, 12);
        control.load(ns, "grow", 100);
        OperatorProcess operator = operator("etcd", ns, Map.of());
        awaitMetrics(ns, "grow");
        control.load(ns, "grow", 860); // 9 replicas, or 8 within the tolerance
        await("scaling has begun").atMost(Duration.ofSeconds(30)).until(() -> replicas(ns, "grow") > 1);
        System.out.println("  killing etcd at " + replicas(ns, "grow") + " replicas");
        killComponent("etcd");
        clusterUp();
        awaitReplicasFor(ns, "grow", 860, Duration.ofSeconds(120));
        await("one of each owned object")
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(owned(ns, "grow"))
                        .as("owned objects by kind")
                        .containsExactlyInAnyOrderEntriesOf(Map.of("Deployment", 1, "Service", 1, "ConfigMap", 1)));
        awaitReadyPods(ns, "grow", replicas(ns, "grow"), Duration.ofSeconds(90));
        assertThat(get(ns, "grow").getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(operator.alive()).isTrue();
    }

    // --- the pieces the checks share

    /** A namespace for one check, deleted with everything in it once the check is over. */
    private String namespace(String name) {
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .serverSideApply();
        namespaces.add(name);
        return name;
    }

    private void scaledApi(String ns, String name, int min, int max) {
        client.resource(faultPodApi(ns, name, min, max)).inNamespace(ns).create();
    }

    /** A ScaledApi whose pods are fault pods, taking their plans from this suite. */
    private ScaledApi faultPodApi(String ns, String name, int min, int max) {
        ScaledApi api = TestResources.minimal(name, min, max);
        api.getSpec().image = IMAGE;
        api.getSpec().resources = POD_RESOURCES;
        api.getSpec().env = List.of(new EnvVar("FAULT_CONTROL", control.url(ns, name), null));
        api.getSpec().scaling.targetRequestsPerSecond = TARGET;
        api.getSpec().scaling.interval = "1s";
        return api;
    }

    private OperatorProcess operator(String id, String ns, Map<String, String> env) throws IOException {
        Files.createDirectories(LOGS);
        OperatorProcess operator = OperatorProcess.start(ROOT, LOGS, id, ns, env);
        started.add(operator);
        return operator;
    }

    /** Stops what the check started, then deletes its namespaces and waits until their pods are gone. */
    private void stopStarted() {
        for (AutoCloseable c : started) {
            try {
                c.close();
            } catch (Exception e) {
                System.out.println("  (could not stop " + c + ": " + e.getMessage() + ")");
            }
        }
        started.clear();
        try {
            // A check that failed mid-outage leaves the next one a cluster that runs.
            if (!running("etcd") || !running("kube-apiserver")) {
                clusterUp();
            }
            for (String ns : namespaces) {
                client.namespaces().withName(ns).delete();
            }
            await("the check's namespaces deleted")
                    .atMost(Duration.ofSeconds(120))
                    .until(() -> namespaces.stream()
                            .allMatch(ns -> client.namespaces().withName(ns).get() == null));
        } catch (Exception e) {
            System.out.println("  (namespaces " + namespaces + " not gone: " + e.getMessage() + ")");
        }
        namespaces.clear();
    }

    private void awaitMetrics(String ns, String name) {
        await(name + " scraped").atMost(Duration.ofSeconds(60)).until(() -> {
            ScaledApi api = get(ns, name);
            return api != null
                    && api.getStatus() != null
                    && "True".equals(condition(api, "MetricsAvailable").getStatus());
        });
    }

    /**
     * Waits until the replicas carry {@code load} at the target as the autoscaler plans it: ceil(load / target), or
     * one fewer where that many are within the tolerance of it (a fleet passing through that size stays there, as
     * the HPA's would). The measured rate wobbles by a percent or two, so the loads stay off both edges.
     */
    private void awaitReplicasFor(String ns, String name, double load, Duration atMost) {
        int most = (int) Math.ceil(load / TARGET);
        int fewest = (int) Math.ceil(load / (TARGET * (1 + ScalingPolicy.DEFAULTS.tolerance())));
        await(ns + "/" + name + " at " + fewest + "-" + most + " replicas for " + load + " req/s")
                .atMost(atMost)
                .untilAsserted(() -> assertThat(replicas(ns, name))
                        .as(ns + "/" + name + " replicas")
                        .isBetween(fewest, most));
    }

    private void awaitReplicas(String ns, String name, int expected, Duration atMost) {
        await(ns + "/" + name + " at " + expected + " replicas")
                .atMost(atMost)
                .untilAsserted(() -> assertThat(replicas(ns, name))
                        .as(ns + "/" + name + " replicas")
                        .isEqualTo(expected));
    }

    /** Waits until the ScaledApi has {@code expected} pods, all Ready: the node runs what its Deployment asks. */
    private void awaitReadyPods(String ns, String name, int expected, Duration atMost) {
        await(ns + "/" + name + " with " + expected + " ready pods")
                .atMost(atMost)
                .untilAsserted(() -> assertThat(
                                client
                                        .pods()
                                        .inNamespace(ns)
                                        .withLabel(OwnedObjects.NAME_LABEL, name)
                                        .list()
                                        .getItems()
                                        .stream()
                                        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                                        .filter(FaultSuite::ready)
                                        .count())
                        .as(ns + "/" + name + " ready pods")
                        .isEqualTo(expected));
    }

    private static boolean ready(Pod pod) {
        return pod.getStatus() != null
                && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The names of the ScaledApi's pods that are not being deleted. */
    private List<String> podNames(String ns, String name) {
        return client.pods().inNamespace(ns).withLabel(OwnedObjects.NAME_LABEL, name).list().getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .map(p -> p.getMetadata().getName())
                .sorted()
                .toList();
    }

    private ScaledApi get(String ns, String name) {
        return client.resources(ScaledApi.class).inNamespace(ns).withName(name).get();
    }

    private int replicas(String ns, String name) {
        Deployment deployment =
                client.apps().deployments().inNamespace(ns).withName(name).get();
        return deployment == null || deployment.getSpec().getReplicas() == null
                ? -1
                : deployment.getSpec().getReplicas();
    }

    private Watch watchReplicas(String ns, String name, AtomicInteger lowest) {
        return client.apps().deployments().inNamespace(ns).withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Deployment deployment) {
                if (deployment.getSpec().getReplicas() != null) {
                    lowest.accumulateAndGet(deployment.getSpec().getReplicas(), Math::min);
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    private static Condition condition(ScaledApi api, String type) {
        return api.getStatus().conditions.stream()
                .filter(c -> c.getType().equals(type))
                .findFirst()
                .orElseThrow(() ->
                        new AssertionError("no " + type + " condition in " + Serialization.asYaml(api.getStatus())));
    }

    /** The objects labelled as the ScaledApi's, counted by kind. */
    private Map<String, Integer> owned(String ns, String name) {
        String selector = OwnedObjects.NAME_LABEL + "=" + name;
        Map<String, Integer> kinds = new LinkedHashMap<>();
        kinds.put(
                "Deployment",
                client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withLabelSelector(selector)
                        .list()
                        .getItems()
                        .size());
        kinds.put(
                "Service",
                client.services()
                        .inNamespace(ns)
                        .withLabelSelector(selector)
                        .list()
                        .getItems()
                        .size());
        kinds.put(
                "PodDisruptionBudget",
                client.policy()
                        .v1()
                        .podDisruptionBudget()
                        .inNamespace(ns)
                        .withLabelSelector(selector)
                        .list()
                        .getItems()
                        .size());
        kinds.put(
                "ConfigMap",
                client.configMaps()
                        .inNamespace(ns)
                        .withLabelSelector(selector)
                        .list()
                        .getItems()
                        .size());
        kinds.values().removeIf(n -> n == 0);
        return kinds;
    }

    private String holder(String ns) {
        var lease =
                client.leases().inNamespace(ns).withName("scaledapi-operator").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    /** The suite's own frame that an exception without a message came from. */
    private static String where(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().equals(FaultSuite.class.getName())) {
                return frame.toString();
            }
        }
        return e.getStackTrace().length > 0 ? e.getStackTrace()[0].toString() : "?";
    }

    private static String name(FaultPod.Behavior behavior) {
        return "m-" + behavior.name().toLowerCase(Locale.ROOT);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static org.awaitility.core.ConditionFactory await() {
        return org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(500));
    }

    private static org.awaitility.core.ConditionFactory await(String alias) {
        return org.awaitility.Awaitility.await(alias).pollInterval(Duration.ofMillis(500));
    }

    // --- the control plane, by the PIDs dev/cluster wrote

    private static void stopComponent(String component) throws Exception {
        signal(component, false);
    }

    private static void killComponent(String component) throws Exception {
        signal(component, true);
    }

    private static boolean running(String component) throws IOException {
        Path pid = CLUSTER.resolve(component + ".pid");
        return Files.exists(pid)
                && ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
                        .map(ProcessHandle::isAlive)
                        .orElse(false);
    }

    private static void signal(String component, boolean kill) throws Exception {
        long pid = Long.parseLong(
                Files.readString(CLUSTER.resolve(component + ".pid")).trim());
        ProcessHandle process =
                ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException(component + " is not running"));
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        long start = System.nanoTime();
        process.onExit().get(90, TimeUnit.SECONDS);
        System.out.printf(
                Locale.ROOT,
                "  %s (pid %d) %s after %.0f s%n",
                component,
                pid,
                kill ? "killed" : "stopped",
                (System.nanoTime() - start) / 1e9);
    }

    /** dev/cluster up starts what is not running and waits for the API server's /readyz. */
    private static void clusterUp() throws IOException, InterruptedException {
        Process up = new ProcessBuilder("dev/cluster", "up")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        LOGS.resolve("cluster-up.log").toFile()))
                .start();
        if (!up.waitFor(120, TimeUnit.SECONDS) || up.exitValue() != 0) {
            up.destroyForcibly();
            throw new IllegalStateException(
                    "dev/cluster up did not bring the control plane back; see " + LOGS.resolve("cluster-up.log"));
        }
        System.out.println("  control plane up again");
    }
}
