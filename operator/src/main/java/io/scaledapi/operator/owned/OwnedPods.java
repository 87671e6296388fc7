package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pods a ScaledApi counts and scrapes: those whose controller is a ReplicaSet whose controller is the ScaledApi's
 * own Deployment. Labels alone are not enough: anyone who may create a pod in the namespace can give it the labels,
 * and an address of their choosing for the operator to scrape.
 */
public final class OwnedPods {

    private OwnedPods() {}

    /** The pods of {@code deploymentUid}'s ReplicaSets; none while the Deployment is not known. */
    public static Set<Pod> of(Collection<Pod> pods, Collection<ReplicaSet> replicaSets, String deploymentUid) {
        if (deploymentUid == null) {
            return Set.of();
        }
        Set<String> ours = replicaSets.stream()
                .filter(rs -> deploymentUid.equals(controllerUid(rs)))
                .map(rs -> rs.getMetadata().getUid())
                .collect(Collectors.toSet());
        return pods.stream().filter(pod -> ours.contains(controllerUid(pod))).collect(Collectors.toSet());
    }

    private static String controllerUid(HasMetadata object) {
        return object.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .map(OwnerReference::getUid)
                .findFirst()
                .orElse(null);
    }
}
