package io.scaledapi.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-in removes the coldest pods: before replicas go down, each pod's {@code controller.kubernetes.io/pod-deletion-cost}
 * is set to the requests per second its own cache answered over the last tick, so the ReplicaSet deletes the pods
 * whose loss costs the fleet's caches least. A pod with no measured rate (still warming, or not yet scraped twice)
 * costs 0. (Unready pods go first anyway: the ReplicaSet ranks readiness before cost.)
 */
final class PodDeletionCosts {

    static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";
    private static final Logger log = LoggerFactory.getLogger(PodDeletionCosts.class);

    private PodDeletionCosts() {}

    /** The cost of each pod, by name. */
    static Map<String, Integer> of(List<Pod> pods, Map<String, Double> localHitRates) {
        Map<String, Integer> costs = new LinkedHashMap<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            Double rate = localHitRates.get(name);
            long cost = rate == null || !Double.isFinite(rate) ? 0 : Math.round(Math.max(0, rate));
            costs.put(name, (int) Math.min(Integer.MAX_VALUE, cost));
        }
        return costs;
    }

    /** Sets the costs that differ from a pod's annotation; returns how many pods were patched. */
    static int apply(KubernetesClient client, String resource, List<Pod> pods, Map<String, Integer> costs) {
        int patched = 0;
        for (Pod pod : pods) {
            Integer cost = costs.get(pod.getMetadata().getName());
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            if (cost == null
                    || pod.getMetadata().getDeletionTimestamp() != null
                    || (annotations != null && Integer.toString(cost).equals(annotations.get(ANNOTATION)))) {
                continue;
            }
            try {
                client.pods()
                        .inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName())
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + cost + "\"}}}");
                patched++;
            } catch (KubernetesClientException e) {
                // The scale-in still happens, in the ReplicaSet's default order.
                log.debug(
                        "{} could not set the deletion cost of pod {}: {}",
                        resource,
                        pod.getMetadata().getName(),
                        e.getMessage());
            }
        }
        return patched;
    }
}
