package io.scaledapi.operator.faults;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scaledapi.operator.owned.OwnedObjects;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * Pods for an API server with no kubelet (the reconciler's tests, bench/operator-scale.sh): Pod objects marked Ready
 * whose podIP and metrics port are a local endpoint's. The fault suite runs real pods instead ({@link FaultPod}).
 */
public final class StandInPods {

    private StandInPods() {}

    /**
     * The ReplicaSet the stand-in pods of {@code app} belong to, as the Deployment controller would make it, controlled
     * by the ScaledApi's Deployment: the operator counts only pods whose owners lead to its Deployment. There is no
     * controller-manager where stand-ins are used, so nothing else acts on it.
     */
    static ReplicaSet replicaSet(KubernetesClient client, String namespace, String app) {
        String name = app + "-standin";
        ReplicaSet existing = client.apps()
                .replicaSets()
                .inNamespace(namespace)
                .withName(name)
                .get();
        if (existing != null) {
            return existing;
        }
        Deployment deployment = Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(
                        () -> client.apps()
                                .deployments()
                                .inNamespace(namespace)
                                .withName(app)
                                .get(),
                        d -> d != null);
        try {
            return client.resource(new ReplicaSetBuilder()
                            .withNewMetadata()
                            .withName(name)
                            .withNamespace(namespace)
                            .withLabels(deployment
                                    .getSpec()
                                    .getTemplate()
                                    .getMetadata()
                                    .getLabels())
                            .addNewOwnerReference()
                            .withApiVersion("apps/v1")
                            .withKind("Deployment")
                            .withName(app)
                            .withUid(deployment.getMetadata().getUid())
                            .withController(true)
                            .withBlockOwnerDeletion(true)
                            .endOwnerReference()
                            .endMetadata()
                            .withNewSpec()
                            .withReplicas(0)
                            .withSelector(deployment.getSpec().getSelector())
                            .withTemplate(deployment.getSpec().getTemplate())
                            .endSpec()
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return client.apps()
                    .replicaSets()
                    .inNamespace(namespace)
                    .withName(name)
                    .get();
        }
    }

    /** A Pod object of the ScaledApi {@code app}, marked Ready with podIP 127.0.0.1 and its {@code metrics} port. */
    public static Pod createReady(KubernetesClient client, String namespace, String app, String name, int port) {
        return createReady(client, namespace, app, name, "127.0.0.1", port);
    }

    /** A Pod object of the ScaledApi {@code app}, marked Ready with {@code podIP} and its {@code metrics} port. */
    public static Pod createReady(
            KubernetesClient client, String namespace, String app, String name, String podIP, int port) {
        ReplicaSet owner = replicaSet(client, namespace, app);
        Pod pod = client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .addNewOwnerReference()
                        .withApiVersion("apps/v1")
                        .withKind("ReplicaSet")
                        .withName(owner.getMetadata().getName())
                        .withUid(owner.getMetadata().getUid())
                        .withController(true)
                        .endOwnerReference()
                        .withLabels(Map.of(
                                "app.kubernetes.io/managed-by",
                                OwnedObjects.MANAGED_BY,
                                OwnedObjects.NAME_LABEL,
                                app,
                                "app.kubernetes.io/name",
                                app))
                        .endMetadata()
                        .withNewSpec()
                        .withAutomountServiceAccountToken(false)
                        .addNewContainer()
                        .withName("api")
                        .withImage("scaledapi/sample-api:0.1.0")
                        .addNewPort()
                        .withName(OwnedObjects.METRICS_PORT_NAME)
                        .withContainerPort(port)
                        .endPort()
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        String now = Instant.now().toString();
        pod.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(podIP)
                .withStartTime(now)
                .withConditions(new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build())
                .build());
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
    }
}
