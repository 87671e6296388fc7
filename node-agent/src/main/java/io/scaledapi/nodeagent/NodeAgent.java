package io.scaledapi.nodeagent;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;

/**
 * The local cluster's one node: registers a Node, binds unscheduled pods to it (there is no scheduler), runs them
 * as local processes ({@link PodRunner}), and balances each Service over its ready endpoints with nginx
 * ({@link ServiceProxy}).
 *   java -jar node-agent/target/node-agent.jar --kubeconfig FILE --images dev/images.conf --state DIR
 */
public final class NodeAgent {

    private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
    static final String NODE = "scaledapi-local";

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        Path kubeconfig = Path.of(required(a, "--kubeconfig"));
        Path state = Path.of(a.getOrDefault("--state", "/tmp/scaledapi-node"));
        Path repository = Path.of(a.getOrDefault("--repository", ".")).toAbsolutePath();
        ImageCommands images = new ImageCommands(Path.of(required(a, "--images")));
        Files.createDirectories(state);
        System.setProperty("kubeconfig", kubeconfig.toString());
        KubernetesClient client = new KubernetesClientBuilder().build();
        URI apiServer = URI.create(client.getConfiguration().getMasterUrl());
        Path ca = Path.of(client.getConfiguration().getCaCertFile());

        registerNode(client);
        PodRunner runner = new PodRunner(client, NODE, images, state, repository, apiServer, ca);
        ServiceProxy proxy = new ServiceProxy(client, state.resolve("proxy"));
        ScheduledExecutorService loop = Executors.newScheduledThreadPool(2);

        client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
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

            private void handle(Pod pod) {
                if (pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
                    bind(client, pod);
                } else if (NODE.equals(pod.getSpec().getNodeName())) {
                    runner.onPod(pod);
                }
            }
        });
        loop.scheduleWithFixedDelay(runner::tick, 1, 1, TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(() -> {
            try {
                proxy.sync();
            } catch (Exception e) {
                log.warn("service proxy: {}", e.getMessage());
            }
        }, 0, 1, TimeUnit.SECONDS);
        loop.scheduleWithFixedDelay(() -> heartbeat(client), 10, 10, TimeUnit.SECONDS);

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.shutdownNow();
            runner.close();
            proxy.close();
            client.close();
        }, "shutdown"));
        log.info("node {} ready; pods run as local processes under {}", NODE, state);
        Thread.currentThread().join();
    }

    private static void registerNode(KubernetesClient client) {
        client.nodes().resource(new NodeBuilder()
                .withNewMetadata().withName(NODE).addToLabels("kubernetes.io/hostname", NODE).endMetadata()
                .build()).serverSideApply();
        heartbeat(client);
    }

    private static void heartbeat(KubernetesClient client) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            var node = client.nodes().withName(NODE).get();
            node.setStatus(new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                    .addToCapacity("cpu", new Quantity("8")).addToCapacity("memory", new Quantity("16Gi"))
                    .addToCapacity("pods", new Quantity("110"))
                    .addToAllocatable("cpu", new Quantity("8")).addToAllocatable("memory", new Quantity("16Gi"))
                    .addToAllocatable("pods", new Quantity("110"))
                    .addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress()
                    .withConditions(new NodeConditionBuilder().withType("Ready").withStatus("True").withReason("KubeletReady")
                            .withMessage("scaledapi node agent is posting ready status").withLastHeartbeatTime(now)
                            .withLastTransitionTime(now).build())
                    .build());
            client.nodes().resource(node).updateStatus();
        } catch (Exception e) {
            log.warn("node heartbeat: {}", e.getMessage());
        }
    }

    private static void bind(KubernetesClient client, Pod pod) {
        try {
            client.bindings().inNamespace(pod.getMetadata().getNamespace()).resource(new BindingBuilder()
                    .withNewMetadata().withName(pod.getMetadata().getName()).endMetadata()
                    .withNewTarget().withKind("Node").withApiVersion("v1").withName(NODE).endTarget()
                    .build()).create();
        } catch (Exception e) {
            log.debug("bind {}: {}", pod.getMetadata().getName(), e.getMessage());
        }
    }

    private static String required(Map<String, String> args, String name) {
        String value = args.get(name);
        if (value == null) {
            throw new IllegalArgumentException("usage: node-agent --kubeconfig FILE --images FILE [--state DIR] [--repository DIR]; missing " + name);
        }
        return value;
    }
}
