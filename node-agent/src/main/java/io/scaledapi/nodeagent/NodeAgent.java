package io.scaledapi.nodeagent;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local cluster's one node: registers a Node and keeps its Lease and Ready condition fresh, binds unscheduled
 * pods to it (there is no scheduler), runs them as local processes ({@link PodRunner}), and balances each Service
 * over its ready endpoints with nginx ({@link ServiceProxy}). Pods and Services are watched with informers, so the
 * steady state costs the API server nothing but the watches and the heartbeat.
 * Each pod's CPU and memory, from its cgroup, are served as the kubelet serves them, at
 * {@code http://127.0.0.1:10255/metrics/resource}.
 *   java -jar node-agent/target/node-agent.jar --kubeconfig FILE --images dev/images.conf --state DIR
 */
public final class NodeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    static final String NODE = "scaledapi-local";
    private static final int LEASE_SECONDS = 40;

    private final KubernetesClient client;
    private final PodRunner runner;
    private final ServiceProxy proxy;
    private final ScheduledExecutorService loop = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "node-agent");
        thread.setDaemon(true);
        return thread;
    });
    /** The Ready condition's transition time: the node has been ready since the agent started. */
    private final String readySince =
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();

    private SharedIndexInformer<Pod> pods;
    private SharedIndexInformer<Service> services;
    private final InetSocketAddress metricsAddress;
    private HttpServer metrics;

    NodeAgent(
            KubernetesClient client,
            ImageCommands images,
            Path state,
            Path repository,
            InetSocketAddress metricsAddress)
            throws IOException {
        this.client = client;
        this.metricsAddress = metricsAddress;
        Files.createDirectories(state);
        URI apiServer = URI.create(client.getConfiguration().getMasterUrl());
        Path ca = caFile(client, state);
        this.proxy = new ServiceProxy(state.resolve("proxy"));
        this.runner = new PodRunner(
                client, NODE, images, state, repository, apiServer, ca, PodCgroups.detect(), proxy::allocate);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Path kubeconfig = Path.of(required(a, "--kubeconfig"));
        Path state = Path.of(a.getOrDefault("--state", "/tmp/scaledapi-node"));
        Path repository = Path.of(a.getOrDefault("--repository", ".")).toAbsolutePath();
        ImageCommands images = new ImageCommands(Path.of(required(a, "--images")));
        String[] metrics =
                a.getOrDefault("--metrics-address", "127.0.0.1:10255").split(":");
        System.setProperty("kubeconfig", kubeconfig.toString());
        KubernetesClient client = new KubernetesClientBuilder().build();
        NodeAgent agent = new NodeAgent(
                client, images, state, repository, new InetSocketAddress(metrics[0], Integer.parseInt(metrics[1])));
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            agent.close();
                            client.close();
                        },
                        "shutdown"));
        agent.start();
        log.info("node {} ready; pods run as local processes under {}", NODE, state);
        Thread.currentThread().join();
    }

    void start() throws IOException {
        // The kubelet's resource metrics: each pod's CPU and memory from its cgroup (what metrics-server reads).
        metrics = HttpServer.create(metricsAddress, 0);
        metrics.createContext("/metrics/resource", exchange -> {
            byte[] body = runner.resourceMetrics().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        metrics.start();
        registerNode();
        pods = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                handle(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                handle(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                if (NODE.equals(pod.getSpec().getNodeName())) {
                    runner.onPodGone(pod);
                }
            }
        });
        services = client.services().inAnyNamespace().inform();
        loop.scheduleWithFixedDelay(runner::tick, 1, 1, TimeUnit.SECONDS);
        // The proxy reads the informers' caches, so a pass is cheap; it reloads nginx only when the config changed.
        loop.scheduleWithFixedDelay(
                () -> {
                    try {
                        proxy.sync(services.getStore().list(), pods.getStore().list());
                    } catch (IOException | RuntimeException e) {
                        log.warn("service proxy: {}", e.getMessage());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                0,
                1,
                TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(this::heartbeat, 10, 10, TimeUnit.SECONDS);
    }

    /** The API server's CA as a file for the pods, whether the kubeconfig names a file or holds the data inline. */
    private static Path caFile(KubernetesClient client, Path state) throws IOException {
        String file = client.getConfiguration().getCaCertFile();
        if (file != null) {
            return Path.of(file);
        }
        String data = client.getConfiguration().getCaCertData();
        if (data == null) {
            throw new IllegalArgumentException("the kubeconfig names no certificate authority for the API server");
        }
        Path ca = state.resolve("ca.crt");
        Files.write(ca, Base64.getDecoder().decode(data.strip()));
        return ca;
    }

    /** Where a Service port is served on this machine, once the proxy has it: {@code 127.0.0.1:port}. */
    String serviceAddress(String namespace, String name, int port) {
        return proxy.address(namespace + "/" + name + ":" + port);
    }

    private void handle(Pod pod) {
        String node = pod.getSpec().getNodeName();
        if (node == null || node.isEmpty()) {
            bind(pod);
        } else if (NODE.equals(node)) {
            runner.onPod(pod);
        }
    }

    private void registerNode() {
        client.nodes()
                .resource(new NodeBuilder()
                        .withNewMetadata()
                        .withName(NODE)
                        .addToLabels("kubernetes.io/hostname", NODE)
                        .endMetadata()
                        .build())
                .serverSideApply();
        heartbeat();
    }

    /** What a kubelet posts: the node Lease's renew time, and the Ready condition with capacity and address. */
    private void heartbeat() {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        try {
            client.leases()
                    .inNamespace("kube-node-lease")
                    .resource(new LeaseBuilder()
                            .withNewMetadata()
                            .withName(NODE)
                            .withNamespace("kube-node-lease")
                            .endMetadata()
                            .withNewSpec()
                            .withHolderIdentity(NODE)
                            .withLeaseDurationSeconds(LEASE_SECONDS)
                            .withRenewTime(now)
                            .endSpec()
                            .build())
                    .serverSideApply();
            String time = now.truncatedTo(ChronoUnit.SECONDS).toInstant().toString();
            var node = client.nodes().withName(NODE).get();
            node.setStatus(new NodeStatusBuilder()
                    .addToCapacity("cpu", new Quantity("8"))
                    .addToCapacity("memory", new Quantity("16Gi"))
                    .addToCapacity("pods", new Quantity("110"))
                    .addToAllocatable("cpu", new Quantity("8"))
                    .addToAllocatable("memory", new Quantity("16Gi"))
                    .addToAllocatable("pods", new Quantity("110"))
                    .addNewAddress()
                    .withType("InternalIP")
                    .withAddress("127.0.0.1")
                    .endAddress()
                    .withConditions(new NodeConditionBuilder()
                            .withType("Ready")
                            .withStatus("True")
                            .withReason("KubeletReady")
                            .withMessage("scaledapi node agent is posting ready status")
                            .withLastHeartbeatTime(time)
                            .withLastTransitionTime(readySince)
                            .build())
                    .build());
            client.nodes().resource(node).updateStatus();
        } catch (Exception e) {
            log.warn("node heartbeat: {}", e.getMessage());
        }
    }

    private void bind(Pod pod) {
        try {
            client.bindings()
                    .inNamespace(pod.getMetadata().getNamespace())
                    .resource(new BindingBuilder()
                            .withNewMetadata()
                            .withName(pod.getMetadata().getName())
                            .endMetadata()
                            .withNewTarget()
                            .withKind("Node")
                            .withApiVersion("v1")
                            .withName(NODE)
                            .endTarget()
                            .build())
                    .create();
        } catch (Exception e) {
            // Another event for the same pod may have bound it already; the next event says which.
            log.debug(
                    "bind {}/{}: {}",
                    pod.getMetadata().getNamespace(),
                    pod.getMetadata().getName(),
                    e.getMessage());
        }
    }

    /** Where the resource metrics are served: {@code 127.0.0.1:port}. */
    InetSocketAddress metricsAddress() {
        return metrics.getAddress();
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.stop(0);
        }
        loop.shutdownNow();
        if (pods != null) {
            pods.close();
        }
        if (services != null) {
            services.close();
        }
        runner.close();
        proxy.close();
    }

    private static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            throw new IllegalArgumentException(
                    "usage: node-agent --kubeconfig FILE --images FILE [--state DIR] [--repository DIR]"
                            + " [--metrics-address 127.0.0.1:10255]; missing " + name);
        }
        return value;
    }
}
