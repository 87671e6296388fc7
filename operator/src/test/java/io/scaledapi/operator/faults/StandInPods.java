package io.scaledapi.operator.faults;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.owned.OwnedObjects;
import java.time.Instant;
import java.util.Map;

/**
 * Pods for an API server with no kubelet (the reconciler's tests, bench/operator-scale.sh): Pod objects marked Ready
 * whose podIP and metrics port are a local endpoint's. The fault suite runs real pods instead ({@link FaultPod}).
 */
public final class StandInPods {

    private StandInPods() {}

    /** A Pod object of the ScaledApi {@code app}, marked Ready with podIP 127.0.0.1 and its {@code metrics} port. */
    public static Pod createReady(KubernetesClient client, String namespace, String app, String name, int port) {
        return createReady(client, namespace, app, name, "127.0.0.1", port);
    }

    /** A Pod object of the ScaledApi {@code app}, marked Ready with {@code podIP} and its {@code metrics} port. */
    public static Pod createReady(
            KubernetesClient client, String namespace, String app, String name, String podIP, int port) {
        Pod pod = client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
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
