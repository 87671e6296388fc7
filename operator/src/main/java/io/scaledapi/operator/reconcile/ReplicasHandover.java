package io.scaledapi.operator.reconcile;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scaledapi.operator.owned.OwnedObjects;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Recommend mode leaves {@code spec.replicas} to others. With server-side apply, a field manager that stops applying
 * a field it alone owns removes it, and the Deployment would fall back to one replica. So before the operator leaves
 * the field out, the current value is applied once under a manager of its own, {@link #MANAGER}: it keeps the value
 * while the operator lets go, and gives way to whoever scales next (an HPA, {@code kubectl scale}). This is the
 * handover the Kubernetes documentation describes for giving replicas to an HPA.
 */
final class ReplicasHandover {

    static final String MANAGER = OwnedObjects.MANAGED_BY + "-handover";

    private ReplicasHandover() {}

    /** Whether the operator's own apply still owns the Deployment's replicas. */
    static boolean operatorOwnsReplicas(Deployment deployment) {
        return replicasOwners(deployment)
                .anyMatch(entry ->
                        OwnedObjects.MANAGED_BY.equals(entry.getManager()) && "Apply".equals(entry.getOperation()));
    }

    /** The field managers' entries that own the Deployment's {@code spec.replicas}. */
    static Stream<ManagedFieldsEntry> replicasOwners(Deployment deployment) {
        return deployment.getMetadata().getManagedFields().stream()
                .filter(entry -> entry.getFieldsV1() != null
                        && entry.getFieldsV1().getAdditionalProperties().get("f:spec") instanceof Map<?, ?> spec
                        && spec.containsKey("f:replicas"));
    }

    /** Applies the Deployment's present replicas under {@link #MANAGER}: the value stays when the operator lets go. */
    static void handOver(KubernetesClient client, Deployment deployment) {
        Deployment replicasOnly = new DeploymentBuilder()
                .withNewMetadata()
                .withName(deployment.getMetadata().getName())
                .withNamespace(deployment.getMetadata().getNamespace())
                .endMetadata()
                .withNewSpec()
                .withReplicas(deployment.getSpec().getReplicas())
                .endSpec()
                .build();
        client.apps()
                .deployments()
                .inNamespace(deployment.getMetadata().getNamespace())
                .withName(deployment.getMetadata().getName())
                .patch(
                        new PatchContext.Builder()
                                .withPatchType(PatchType.SERVER_SIDE_APPLY)
                                .withFieldManager(MANAGER)
                                .withForce(false)
                                .build(),
                        replicasOnly);
    }
}
