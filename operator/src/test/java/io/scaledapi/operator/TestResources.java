package io.scaledapi.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/** Shared set-up for the API-server tests: the committed CRD, namespaces, and resources from YAML. */
public final class TestResources {

    public static final Path CRD_FILE = Path.of("..", "crds", "scaledapis.scaledapi.io-v1.yml");

    private TestResources() {}

    public static void installCrd(KubernetesClient client) {
        try (InputStream in = Files.newInputStream(CRD_FILE)) {
            CustomResourceDefinition crd = client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .load(in)
                    .item();
            client.resource(crd).serverSideApply();
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd.getMetadata().getName())
                    .waitUntilCondition(
                            c -> c.getStatus() != null
                                    && c.getStatus().getConditions() != null
                                    && c.getStatus().getConditions().stream()
                                            .anyMatch(cond -> "Established".equals(cond.getType())
                                                    && "True".equals(cond.getStatus())),
                            30,
                            java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Changes a ScaledApi's spec as a user would: read, modify, write, and again on a conflict. The operator writes the
     * same object's status meanwhile, so an edit based on a copy one write old is refused with 409.
     */
    public static ScaledApi editSpec(
            KubernetesClient client, String namespace, String name, Consumer<ScaledApiSpec> change) {
        return edit(client.resources(ScaledApi.class).inNamespace(namespace).withName(name), api -> {
            change.accept(api.getSpec());
            return api;
        });
    }

    /** Read-modify-write that starts again on a conflict, as client-go's RetryOnConflict and kubectl edit do. */
    public static <T extends HasMetadata> T edit(Resource<T> resource, UnaryOperator<T> change) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> resource.edit(change), edited -> edited != null);
    }

    /** A pod as a ReplicaSet would create it from {@code template}; no kubelet runs it (see {@link #reportPodStatus}). */
    public static Pod podFromTemplate(
            KubernetesClient client, String namespace, String name, PodTemplateSpec template) {
        return client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(template.getMetadata().getLabels())
                        .withAnnotations(template.getMetadata().getAnnotations())
                        .endMetadata()
                        .withSpec(template.getSpec())
                        .build())
                .create();
    }

    /** Writes a running pod's status as a kubelet would report it: its one container ready or not, and restarts. */
    public static Pod reportPodStatus(KubernetesClient client, Pod pod, boolean ready, int restarts) {
        Pod current = client.pods()
                .inNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName())
                .get();
        String now = Instant.now().toString();
        current.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP("127.0.0.1")
                .withStartTime(now)
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withLastTransitionTime(now)
                .endCondition()
                .addNewContainerStatus()
                .withName(current.getSpec().getContainers().get(0).getName())
                .withImage(current.getSpec().getContainers().get(0).getImage())
                .withImageID("")
                .withReady(ready)
                .withStarted(true)
                .withRestartCount(restarts)
                .endContainerStatus()
                .build());
        return client.resource(current).updateStatus();
    }

    public static String newNamespace(KubernetesClient client) {
        String name = "t-" + UUID.randomUUID().toString().substring(0, 8);
        client.resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return name;
    }

    /** The smallest valid resource as YAML (the README's example); {@code %s} is the name. */
    public static final String MINIMAL_YAML = """
            apiVersion: scaledapi.io/v1alpha1
            kind: ScaledApi
            metadata:
              name: %s
            spec:
              image: scaledapi/sample-api:0.1.0
              cache:
                ttl: 60s
              replicas:
                min: 1
                max: 10
              scaling:
                targetRequestsPerSecond: 400
            """;

    /** The minimal resource with the given name and bounds. */
    public static ScaledApi minimal(String name, int min, int max) {
        ScaledApi api = scaledApi(MINIMAL_YAML.formatted(name));
        api.getSpec().replicas.min = min;
        api.getSpec().replicas.max = max;
        return api;
    }

    public static ScaledApi scaledApi(String yaml) {
        return Serialization.unmarshal(yaml, ScaledApi.class);
    }
}
