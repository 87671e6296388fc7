package io.scaledapi.nodeagent;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pods bound to this node as local processes, the way a kubelet runs containers: one process per pod
 * (its first container), on a loopback address of its own, in a cgroup of its own that enforces the container's CPU
 * and memory limits, with the container's env, the pod's service-account token and the in-cluster connection
 * settings; runs startup, liveness and readiness probes, reports status, restarts a crashed or OOM-killed process,
 * and on deletion sends SIGTERM, waits the grace period, then kills.
 */
final class PodRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PodRunner.class);
    /** The waiting reason of a container whose image the images file does not map (a kubelet's ErrImagePull). */
    static final String IMAGE_NOT_MAPPED = "ErrImageNotMapped";

    private final class Running {
        final Pod pod;
        final String ip;
        final Path dir;
        volatile Process process;
        volatile boolean ready;
        volatile int restarts;
        final Instant started = Instant.now();
        volatile Instant readySince;
        volatile Instant containerStarted;
        ProbeSchedule startup;
        ProbeSchedule readiness;
        ProbeSchedule liveness;
        volatile ContainerStateTerminated lastTermination;
        /** The pod's cgroup, or null where the node has none. */
        volatile PodCgroup cgroup;
        /** The container's resources as its cgroup has them: the spec's at start, then each in-place resize's. */
        volatile ResourceRequirements applied;

        long oomKillsAtLaunch;

        Running(Pod pod, String ip, Path dir) {
            this.pod = pod;
            this.ip = ip;
            this.dir = dir;
        }
    }

    private final KubernetesClient client;
    private final String nodeName;
    private final ImageCommands images;
    private final LoopbackAddresses addresses = new LoopbackAddresses();
    private final Path stateDir;
    private final Path repository;
    private final URI apiServer;
    private final Path caFile;
    private final Optional<PodCgroups> cgroups;
    /** {@code 127.0.0.1:port} of a Service port ({@code namespace/name:port}) on this machine's proxy. */
    private final Function<String, String> serviceAddresses;

    private final Map<String, Running> pods = new ConcurrentHashMap<>();
    /** Groups of stopped pods whose killed processes had not left yet when the pod stopped; each tick tries again. */
    private final Set<PodCgroup> groupsToRemove = ConcurrentHashMap.newKeySet();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    PodRunner(
            KubernetesClient client,
            String nodeName,
            ImageCommands images,
            Path stateDir,
            Path repository,
            URI apiServer,
            Path caFile,
            Optional<PodCgroups> cgroups,
            Function<String, String> serviceAddresses) {
        this.serviceAddresses = serviceAddresses;
        this.client = client;
        this.nodeName = nodeName;
        this.images = images;
        this.stateDir = stateDir;
        this.repository = repository;
        this.apiServer = apiServer;
        this.caFile = caFile;
        this.cgroups = cgroups;
    }

    /**
     * The image's local command, then the container's {@code args}, as a container runtime appends args to the
     * image's entrypoint (the container's {@code command} names what is inside the image, and the mapping stands in
     * for that).
     */
    private Optional<List<String>> commandFor(Container container) {
        return images.commandFor(container.getImage()).map(command -> {
            List<String> all = new ArrayList<>(command);
            if (container.getArgs() != null) {
                all.addAll(container.getArgs());
            }
            return all;
        });
    }

    private static final Pattern SERVICE_HOST_PORT = Pattern.compile(
            "\\b([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\\.svc(\\.cluster\\.local)?:(\\d+)\\b");

    /**
     * What the cluster's DNS and kube-proxy do for a container: a Service's name and port in an env value
     * ({@code NAME.NAMESPACE.svc[.cluster.local]:PORT}) becomes the address where this machine's proxy serves it.
     * Pods here have no resolver for cluster names.
     */
    String withServiceAddresses(String value, String namespace) {
        if (value.indexOf(".svc") < 0) {
            return value;
        }
        Matcher m = SERVICE_HOST_PORT.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(
                    out,
                    Matcher.quoteReplacement(serviceAddresses.apply(m.group(3) + "/" + m.group(1) + ":" + m.group(6))));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** Called for every pod event of this node: starts new pods, stops terminating ones. */
    synchronized void onPod(Pod pod) {
        String key = key(pod);
        Running running = pods.get(key);
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            if (running != null) {
                pods.remove(key);
                Thread stopper = new Thread(
                        () -> stop(running, pod), "stop-" + pod.getMetadata().getName());
                stopper.start();
            } else {
                forceDelete(pod);
            }
            return;
        }
        if (running == null
                && (pod.getStatus() == null || !"Failed".equals(pod.getStatus().getPhase()))) {
            start(pod);
        } else if (running != null) {
            resize(running, pod);
        }
    }

    /**
     * An in-place resize, as a kubelet does one: the container's new limits are written to its cgroup while it runs,
     * and its status reports the resources it now has.
     */
    private void resize(Running running, Pod pod) {
        ResourceRequirements wanted = pod.getSpec().getContainers().get(0).getResources();
        if (running.cgroup == null
                || (PodCgroups.cpuMillis(wanted).equals(PodCgroups.cpuMillis(running.applied))
                        && PodCgroups.memoryBytes(wanted).equals(PodCgroups.memoryBytes(running.applied)))) {
            return;
        }
        try {
            running.cgroup.limit(PodCgroups.cpuMillis(wanted), PodCgroups.memoryBytes(wanted));
            running.applied = wanted;
            log.info(
                    "{} resized in place: CPU limit {}m, memory limit {}",
                    key(pod),
                    PodCgroups.cpuMillis(wanted).map(Object::toString).orElse("none "),
                    PodCgroups.memoryBytes(wanted).map(b -> b + " bytes").orElse("none"));
            report(running);
        } catch (IOException e) {
            log.warn("{} could not be resized: {}", key(pod), e.getMessage());
        }
    }

    synchronized void onPodGone(Pod pod) {
        Running running = pods.remove(key(pod));
        if (running != null) {
            terminate(running, 5);
        }
    }

    private void start(Pod pod) {
        Container container = pod.getSpec().getContainers().get(0);
        Optional<List<String>> command = commandFor(container);
        if (command.isEmpty()) {
            reportUnmapped(pod, container);
            return;
        }
        String ip = addresses.allocate();
        Path dir = stateDir.resolve("pods")
                .resolve(pod.getMetadata().getNamespace() + "_"
                        + pod.getMetadata().getName());
        Running running = new Running(pod, ip, dir);
        pods.put(key(pod), running);
        try {
            Files.createDirectories(dir);
            launch(running, command.get());
            log.info("{} started on {} ({})", key(pod), ip, String.join(" ", command.get()));
            report(running);
        } catch (IOException | RuntimeException e) {
            log.warn("{} could not start: {}", key(pod), e.getMessage());
        }
    }

    private void launch(Running running, List<String> command) throws IOException {
        Pod pod = running.pod;
        Container container = pod.getSpec().getContainers().get(0);
        if (running.cgroup == null && cgroups.isPresent()) {
            running.cgroup = cgroups.get().create("pod" + pod.getMetadata().getUid(), container.getResources());
            running.applied = container.getResources();
        }
        if (running.cgroup != null) {
            running.oomKillsAtLaunch = running.cgroup.oomKills();
            command = running.cgroup.launcher(command);
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(repository.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        running.dir.resolve("output.log").toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("KUBE") || k.equals("SERVER_PORT") || k.equals("SERVER_ADDRESS"));
        for (EnvVar var : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
            String value = var.getValue();
            if (var.getValueFrom() != null && var.getValueFrom().getFieldRef() != null) {
                value = switch (var.getValueFrom().getFieldRef().getFieldPath()) {
                    case "metadata.name" -> pod.getMetadata().getName();
                    case "metadata.namespace" -> pod.getMetadata().getNamespace();
                    case "status.podIP" -> running.ip;
                    default -> "";
                };
            }
            env.put(
                    var.getName(),
                    value == null
                            ? ""
                            : withServiceAddresses(value, pod.getMetadata().getNamespace()));
        }
        // Listen on the pod's own address (Spring Boot apps, and the operator's health endpoint).
        env.put("SERVER_ADDRESS", running.ip);
        env.put("HEALTH_ADDRESS", running.ip);
        env.put("POD_IP", running.ip);
        env.put("HOSTNAME", pod.getMetadata().getName());
        // As a kubelet does: the in-cluster API server, and the service-account token unless automounting is off.
        env.put("KUBERNETES_SERVICE_HOST", apiServer.getHost());
        env.put("KUBERNETES_SERVICE_PORT", Integer.toString(apiServer.getPort()));
        String sa = Optional.ofNullable(pod.getSpec().getServiceAccountName()).orElse("default");
        if (mountsToken(pod, sa)) {
            String token = client.serviceAccounts()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(sa)
                    .tokenRequest(new TokenRequestBuilder()
                            .withNewSpec()
                            .withExpirationSeconds(24 * 3600L)
                            .withNewBoundObjectRef()
                            .withKind("Pod")
                            .withApiVersion("v1")
                            .withName(pod.getMetadata().getName())
                            .withUid(pod.getMetadata().getUid())
                            .endBoundObjectRef()
                            .endSpec()
                            .build())
                    .getStatus()
                    .getToken();
            Path tokenFile = running.dir.resolve("token");
            Files.writeString(tokenFile, token);
            env.put(
                    "KUBERNETES_AUTH_SERVICEACCOUNT_TOKEN",
                    tokenFile.toAbsolutePath().toString());
        }
        env.put("KUBERNETES_CERTS_CA_FILE", caFile.toAbsolutePath().toString());
        env.put("KUBERNETES_NAMESPACE", pod.getMetadata().getNamespace());
        env.put("KUBERNETES_AUTH_TRYKUBECONFIG", "false");
        env.put("KUBECONFIG", "/nonexistent");
        // Probe state first: the volatile write of the process below publishes it to the tick thread, which must
        // never see a new process with no readiness schedule (it would count the pod ready at once).
        running.ready = false;
        running.readySince = null;
        running.containerStarted = Instant.now();
        // Without a readiness probe a started container is ready; without a liveness probe it is never restarted
        // for its health, only when it exits. Both wait until the startup probe, if any, has passed.
        running.startup = container.getStartupProbe() == null
                ? null
                : new ProbeSchedule(container.getStartupProbe(), running.containerStarted, false);
        running.readiness = container.getReadinessProbe() == null
                ? null
                : new ProbeSchedule(container.getReadinessProbe(), running.containerStarted, false);
        running.liveness = container.getLivenessProbe() == null
                ? null
                : new ProbeSchedule(container.getLivenessProbe(), running.containerStarted, true);
        running.process = builder.start();
    }

    /** The pod's automountServiceAccountToken, else its service account's, else true. */
    private boolean mountsToken(Pod pod, String serviceAccount) {
        if (pod.getSpec().getAutomountServiceAccountToken() != null) {
            return pod.getSpec().getAutomountServiceAccountToken();
        }
        var account = client.serviceAccounts()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(serviceAccount)
                .get();
        return account == null
                || account.getAutomountServiceAccountToken() == null
                || account.getAutomountServiceAccountToken();
    }

    /** Whether the container counts as started: no startup probe, or it has passed (then it is never run again). */
    private static boolean started(Running running) {
        return running.startup == null || running.startup.passing();
    }

    /** One pass over the running pods: restarts, startup, liveness and readiness probes when due, status. */
    void tick() {
        groupsToRemove.removeIf(PodCgroup::remove);
        for (Running running : pods.values()) {
            try {
                Container container = running.pod.getSpec().getContainers().get(0);
                if (!running.process.isAlive()) {
                    log.warn("{} exited with {}; restarting", key(running.pod), running.process.exitValue());
                    restart(running);
                    continue;
                }
                Instant now = Instant.now();
                if (!started(running)) {
                    if (running.startup.due(now)) {
                        running.startup.record(
                                now, probe(running, container, container.getStartupProbe(), running.startup));
                        if (running.startup.failedOut()) {
                            restartFailed(running, "startup");
                        } else if (running.startup.passing()) {
                            log.info(
                                    "{} started (startup probe passed after {} s)",
                                    key(running.pod),
                                    Duration.between(running.containerStarted, now)
                                            .toSeconds());
                            report(running);
                        }
                    }
                    continue; // liveness and readiness wait for the startup probe, as a kubelet's do
                }
                if (running.liveness != null
                        && running.liveness.due(now)
                        && !running.liveness.record(
                                now, probe(running, container, container.getLivenessProbe(), running.liveness))) {
                    restartFailed(running, "liveness");
                    continue;
                }
                boolean ready = running.readiness == null ? true : running.ready;
                if (running.readiness != null && running.readiness.due(now)) {
                    ready = running.readiness.record(
                            now, probe(running, container, container.getReadinessProbe(), running.readiness));
                }
                if (ready != running.ready) {
                    running.ready = ready;
                    running.readySince = ready ? now : null;
                    report(running);
                }
            } catch (Exception e) {
                log.debug("{} tick: {}", key(running.pod), e.getMessage());
            }
        }
    }

    /** A kubelet's answer to a failed startup or liveness probe: stop the container as on deletion, start it again. */
    private void restartFailed(Running running, String probeName) throws IOException {
        log.warn("{} failed its {} probe; restarting", key(running.pod), probeName);
        stopProcess(running.process, gracePeriod(running.pod));
        restart(running);
    }

    private void restart(Running running) throws IOException {
        int exit = running.process.exitValue();
        boolean oomKilled = running.cgroup != null && running.cgroup.oomKills() > running.oomKillsAtLaunch;
        if (oomKilled) {
            log.warn("{} was killed for passing its memory limit (OOMKilled)", key(running.pod));
        }
        running.lastTermination = new ContainerStateTerminatedBuilder()
                .withExitCode(exit)
                .withReason(oomKilled ? "OOMKilled" : exit == 0 ? "Completed" : "Error")
                .withStartedAt(
                        running.containerStarted.truncatedTo(ChronoUnit.SECONDS).toString())
                .withFinishedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
        running.restarts++;
        launch(running, commandFor(running.pod.getSpec().getContainers().get(0)).orElseThrow());
        report(running);
    }

    private boolean probe(Running running, Container container, Probe probe, ProbeSchedule schedule) {
        if (probe.getHttpGet() == null) {
            return true; // exec and TCP probes are not run here; a live process passes them
        }
        int port = port(container, probe.getHttpGet().getPort());
        try {
            HttpResponse<Void> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + running.ip + ":" + port
                                    + probe.getHttpGet().getPath()))
                            .timeout(schedule.timeout())
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() >= 200 && response.statusCode() < 400;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int port(Container container, IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        for (ContainerPort p : container.getPorts()) {
            if (port.getStrVal().equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        throw new IllegalArgumentException("no container port named " + port.getStrVal());
    }

    private void report(Running running) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String ready = running.ready ? "True" : "False";
        String readyTime = running.readySince != null
                ? running.readySince.truncatedTo(ChronoUnit.SECONDS).toString()
                : now;
        PodStatus status = new PodStatusBuilder()
                .withPhase("Running")
                .withHostIP("127.0.0.1")
                .withPodIP(running.ip)
                .addNewPodIP(running.ip)
                .withStartTime(running.started.truncatedTo(ChronoUnit.SECONDS).toString())
                .withConditions(
                        new PodConditionBuilder()
                                .withType("PodScheduled")
                                .withStatus("True")
                                .withLastTransitionTime(now)
                                .build(),
                        new PodConditionBuilder()
                                .withType("Initialized")
                                .withStatus("True")
                                .withLastTransitionTime(now)
                                .build(),
                        new PodConditionBuilder()
                                .withType("ContainersReady")
                                .withStatus(ready)
                                .withLastTransitionTime(readyTime)
                                .build(),
                        new PodConditionBuilder()
                                .withType("Ready")
                                .withStatus(ready)
                                .withLastTransitionTime(readyTime)
                                .build())
                .withContainerStatuses(new ContainerStatusBuilder()
                        .withName(running.pod.getSpec().getContainers().get(0).getName())
                        .withImage(running.pod.getSpec().getContainers().get(0).getImage())
                        .withImageID("local://"
                                + running.pod.getSpec().getContainers().get(0).getImage())
                        .withReady(running.ready)
                        .withResources(running.applied)
                        .withStarted(started(running))
                        .withRestartCount(running.restarts)
                        .withNewState()
                        .withNewRunning()
                        .withStartedAt(running.containerStarted
                                .truncatedTo(ChronoUnit.SECONDS)
                                .toString())
                        .endRunning()
                        .endState()
                        .withNewLastState()
                        .withTerminated(running.lastTermination)
                        .endLastState()
                        .build())
                .build();
        try {
            Pod current = client.pods()
                    .inNamespace(running.pod.getMetadata().getNamespace())
                    .withName(running.pod.getMetadata().getName())
                    .get();
            if (current != null) {
                current.setStatus(status);
                client.pods()
                        .inNamespace(current.getMetadata().getNamespace())
                        .resource(current)
                        .updateStatus();
            }
        } catch (Exception e) {
            log.debug("{} status: {}", key(running.pod), e.getMessage());
        }
    }

    /** As a kubelet reports an image it cannot pull: Pending, the container waiting with a reason (once per pod). */
    private void reportUnmapped(Pod pod, Container container) {
        var statuses = pod.getStatus() == null
                ? List.<io.fabric8.kubernetes.api.model.ContainerStatus>of()
                : pod.getStatus().getContainerStatuses();
        if (statuses.stream()
                .anyMatch(c -> c.getState() != null
                        && c.getState().getWaiting() != null
                        && IMAGE_NOT_MAPPED.equals(c.getState().getWaiting().getReason()))) {
            return;
        }
        String message = "no local command for image " + container.getImage() + " in the node agent's images file";
        log.warn("{} {}; leaving it Pending", key(pod), message);
        try {
            client.pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .editStatus(p -> {
                        p.setStatus(new PodStatusBuilder()
                                .withPhase("Pending")
                                .withHostIP("127.0.0.1")
                                .addNewCondition()
                                .withType("PodScheduled")
                                .withStatus("True")
                                .endCondition()
                                .addNewCondition()
                                .withType("Ready")
                                .withStatus("False")
                                .withReason("ContainersNotReady")
                                .endCondition()
                                .addNewContainerStatus()
                                .withName(container.getName())
                                .withImage(container.getImage())
                                .withImageID("")
                                .withReady(false)
                                .withStarted(false)
                                .withRestartCount(0)
                                .withNewState()
                                .withNewWaiting()
                                .withReason(IMAGE_NOT_MAPPED)
                                .withMessage(message)
                                .endWaiting()
                                .endState()
                                .endContainerStatus()
                                .build());
                        return p;
                    });
        } catch (Exception e) {
            log.debug("{} status: {}", key(pod), e.getMessage());
        }
    }

    /** A kubelet's order: the preStop hook (a sleep action here), SIGTERM, the rest of the grace period, SIGKILL. */
    private void stop(Running running, Pod pod) {
        long grace = Optional.ofNullable(pod.getMetadata().getDeletionGracePeriodSeconds())
                .orElse(30L);
        long pause = Math.min(
                grace, preStopSleepSeconds(pod.getSpec().getContainers().get(0)));
        if (pause > 0) {
            try {
                running.process.waitFor(pause, TimeUnit.SECONDS); // the hook's sleep, cut short if the process exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        terminate(running, grace - pause);
        forceDelete(pod);
        log.info("{} stopped", key(pod));
    }

    /** The preStop sleep action's seconds; exec and HTTP hooks are not run here. */
    static long preStopSleepSeconds(Container container) {
        var lifecycle = container.getLifecycle();
        if (lifecycle == null || lifecycle.getPreStop() == null) {
            return 0;
        }
        if (lifecycle.getPreStop().getSleep() == null) {
            log.debug("container {}: only preStop sleep actions are run; this hook is skipped", container.getName());
            return 0;
        }
        return Optional.ofNullable(lifecycle.getPreStop().getSleep().getSeconds())
                .orElse(0L);
    }

    private void terminate(Running running, long graceSeconds) {
        stopProcess(running.process, graceSeconds);
        if (running.cgroup != null && !running.cgroup.remove()) {
            groupsToRemove.add(running.cgroup);
        }
        addresses.release(running.ip);
    }

    /**
     * Each running pod's CPU and memory from its cgroup, in the kubelet's resource-metrics format
     * ({@code /metrics/resource}): {@code pod_cpu_usage_seconds_total} and {@code pod_memory_working_set_bytes}.
     */
    String resourceMetrics() {
        StringBuilder cpu = new StringBuilder(
                "# HELP pod_cpu_usage_seconds_total Cumulative cpu time consumed by the pod in core-seconds\n"
                        + "# TYPE pod_cpu_usage_seconds_total counter\n");
        StringBuilder memory =
                new StringBuilder("# HELP pod_memory_working_set_bytes Current working set of the pod in bytes\n"
                        + "# TYPE pod_memory_working_set_bytes gauge\n");
        long now = System.currentTimeMillis();
        for (Running running : pods.values()) {
            if (running.cgroup == null) {
                continue;
            }
            try {
                PodCgroup.Usage usage = running.cgroup.usage();
                String labels = "{namespace=\"" + running.pod.getMetadata().getNamespace() + "\",pod=\""
                        + running.pod.getMetadata().getName() + "\"}";
                cpu.append("pod_cpu_usage_seconds_total")
                        .append(labels)
                        .append(' ')
                        .append(usage.cpuNanos() / 1e9)
                        .append(' ')
                        .append(now)
                        .append('\n');
                memory.append("pod_memory_working_set_bytes")
                        .append(labels)
                        .append(' ')
                        .append(usage.memoryWorkingSetBytes())
                        .append(' ')
                        .append(now)
                        .append('\n');
            } catch (IOException | RuntimeException e) {
                log.debug("{} usage: {}", key(running.pod), e.getMessage());
            }
        }
        return cpu.append(memory).toString();
    }

    /** SIGTERM, then SIGKILL once the grace period has passed. */
    private static void stopProcess(Process process, long graceSeconds) {
        if (process == null) {
            return; // it never started (its launch failed)
        }
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static long gracePeriod(Pod pod) {
        return Optional.ofNullable(pod.getSpec().getTerminationGracePeriodSeconds())
                .orElse(30L);
    }

    /** What a kubelet does once the containers are gone: delete the pod object for good. */
    private void forceDelete(Pod pod) {
        try {
            client.pods()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .withName(pod.getMetadata().getName())
                    .withGracePeriod(0)
                    .delete();
        } catch (Exception e) {
            log.debug("{} delete: {}", key(pod), e.getMessage());
        }
    }

    @Override
    public void close() {
        List<Running> all = new ArrayList<>(pods.values());
        pods.clear();
        all.forEach(r -> terminate(r, 10));
    }
}
