package io.scaledapi.operator.owned;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class OwnedPodsTest {

    @Test
    void onlyPodsWhoseReplicaSetTheDeploymentControlsCount() {
        List<ReplicaSet> replicaSets = List.of(
                replicaSet("rs-ours", "deploy-ours", true),
                replicaSet("rs-old-ours", "deploy-ours", true),
                replicaSet("rs-theirs", "deploy-theirs", true),
                replicaSet("rs-released", "deploy-ours", false));
        List<Pod> pods = List.of(
                pod("a", "rs-ours", true),
                pod("b", "rs-old-ours", true),
                pod("labels-only", null, false),
                pod("other-deployment", "rs-theirs", true),
                pod("released-replicaset", "rs-released", true),
                pod("not-controller", "rs-ours", false),
                pod("unknown-replicaset", "rs-gone", true));

        assertThat(OwnedPods.of(pods, replicaSets, "deploy-ours"))
                .extracting(p -> p.getMetadata().getName())
                .containsExactlyInAnyOrder("a", "b");
        assertThat(OwnedPods.of(pods, replicaSets, null))
                .as("no Deployment known yet")
                .isEmpty();
    }

    private static ReplicaSet replicaSet(String uid, String deploymentUid, boolean controller) {
        ReplicaSet rs = new ReplicaSetBuilder()
                .withNewMetadata()
                .withName(uid)
                .withUid(uid)
                .endMetadata()
                .build();
        owned(rs, "Deployment", deploymentUid, controller);
        return rs;
    }

    private static Pod pod(String name, String replicaSetUid, boolean controller) {
        Pod pod =
                new PodBuilder().withNewMetadata().withName(name).endMetadata().build();
        if (replicaSetUid != null) {
            owned(pod, "ReplicaSet", replicaSetUid, controller);
        }
        return pod;
    }

    private static void owned(HasMetadata object, String kind, String ownerUid, boolean controller) {
        object.getMetadata()
                .getOwnerReferences()
                .add(new OwnerReferenceBuilder()
                        .withKind(kind)
                        .withName(ownerUid)
                        .withUid(ownerUid)
                        .withController(controller)
                        .build());
    }
}
