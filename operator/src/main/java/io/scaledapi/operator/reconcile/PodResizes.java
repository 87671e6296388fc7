package io.scaledapi.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.scaledapi.operator.owned.OwnedObjects;
import io.scaledapi.operator.owned.StartupBoost;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-place resizes of {@link StartupBoost}: a pod created boosted goes to its steady CPU limit once its API
 * container is ready (it warms up before it reports ready), and a container that restarted goes back up until it is
 * ready again. A resize the cluster refuses (no {@code pods/resize}, or a kubelet that cannot do it) is remembered per
 * resource, so that its template is rendered unboosted from then on.
 */
final class PodResizes {

    private static final Logger log = LoggerFactory.getLogger(PodResizes.class);

    /** What a reconcile should do to one pod. */
    record Resize(Pod pod, BigDecimal cpuLimitCores, boolean toSteady) {}

    private final KubernetesClient client;
    /** Per resource, per pod (its UID): the restart count its container was last boosted again for. */
    private final Map<String, Map<String, Integer>> boostedRestarts = new ConcurrentHashMap<>();
    /** Per resource ({@code namespace/name}): why the cluster refused a resize, once it did. */
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    PodResizes(KubernetesClient client) {
        this.client = client;
    }

    /** Why this resource's pods start unboosted because the cluster refused a resize, if it did. */
    Optional<String> refusal(String resource) {
        return Optional.ofNullable(refused.get(resource));
    }

    /**
     * The resizes the pods need: a ready pod above its steady limit goes down; a restarted, not-ready container at
     * its steady limit goes back up to {@code boostPercent} above it, once per restart.
     */
    List<Resize> needed(String resource, Collection<Pod> pods, int boostPercent) {
        Map<String, Integer> boosted = boostedRestarts.getOrDefault(resource, Map.of());
        List<Resize> resizes = new ArrayList<>();
        for (Pod pod : pods) {
            Optional<BigDecimal> steady = StartupBoost.steadyCpuLimit(pod);
            Optional<Container> container = StartupBoost.apiContainer(pod);
            Optional<ContainerStatus> status = apiStatus(pod);
            if (steady.isEmpty()
                    || container.isEmpty()
                    || status.isEmpty()
                    || pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            BigDecimal limit =
                    StartupBoost.cpuLimit(container.get().getResources()).orElse(null);
            if (limit == null) {
                continue;
            }
            boolean ready = Boolean.TRUE.equals(status.get().getReady());
            int restarts =
                    status.get().getRestartCount() == null ? 0 : status.get().getRestartCount();
            if (ready && limit.compareTo(steady.get()) > 0) {
                resizes.add(new Resize(pod, steady.get(), true));
            } else if (!ready
                    && restarts > 0
                    && boostPercent > 0
                    && limit.compareTo(steady.get()) <= 0
                    && restarts > boosted.getOrDefault(pod.getMetadata().getUid(), 0)) {
                resizes.add(new Resize(pod, StartupBoost.boostedCpuLimit(steady.get(), boostPercent), false));
            }
        }
        return resizes;
    }

    /** Applies {@code resizes} through the pods' resize subresource; returns how many the cluster took. */
    int apply(String resource, List<Resize> resizes) {
        int done = 0;
        for (Resize resize : resizes) {
            Pod pod = resize.pod();
            String cpu = StartupBoost.millicores(resize.cpuLimitCores()).toString();
            try {
                client.pods()
                        .inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName())
                        .subresource("resize")
                        .patch(
                                PatchContext.of(PatchType.STRATEGIC_MERGE),
                                "{\"spec\":{\"containers\":[{\"name\":\"" + OwnedObjects.API_CONTAINER
                                        + "\",\"resources\":{\"limits\":{\"cpu\":\"" + cpu + "\"}}}]}}");
                done++;
                if (!resize.toSteady()) {
                    boostedRestarts
                            .computeIfAbsent(resource, r -> new ConcurrentHashMap<>())
                            .put(
                                    pod.getMetadata().getUid(),
                                    apiStatus(pod)
                                            .map(ContainerStatus::getRestartCount)
                                            .orElse(0));
                }
                log.debug(
                        "{} pod {} resized to a CPU limit of {} ({})",
                        resource,
                        pod.getMetadata().getName(),
                        cpu,
                        resize.toSteady() ? "ready: its steady limit" : "restarted: boosted again");
            } catch (KubernetesClientException e) {
                if (e.getCode() == 404 && podStillThere(pod)
                        || e.getCode() == 403
                        || e.getCode() == 422
                        || e.getCode() == 405) {
                    String why = "the cluster refused to resize pod "
                            + pod.getMetadata().getName() + " in place (" + e.getCode() + ": "
                            + e.getStatus().getMessage() + ")";
                    if (refused.putIfAbsent(resource, why) == null) {
                        log.info("{} new pods start without a CPU boost from now on: {}", resource, why);
                    }
                    return done;
                }
                // Gone, or changed under us: the next reconcile sees the pod as it is.
                log.debug(
                        "{} could not resize pod {}: {}",
                        resource,
                        pod.getMetadata().getName(),
                        e.getMessage());
            }
        }
        return done;
    }

    /** Forgets the resource's pods that are gone, so that the map holds only live ones. */
    void retainOnly(String resource, Collection<Pod> pods) {
        Map<String, Integer> boosted = boostedRestarts.get(resource);
        if (boosted != null) {
            boosted.keySet()
                    .retainAll(pods.stream().map(p -> p.getMetadata().getUid()).toList());
        }
    }

    private boolean podStillThere(Pod pod) {
        try {
            return client.pods()
                            .inNamespace(pod.getMetadata().getNamespace())
                            .withName(pod.getMetadata().getName())
                            .get()
                    != null;
        } catch (KubernetesClientException e) {
            return false;
        }
    }

    private static Optional<ContainerStatus> apiStatus(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(s -> OwnedObjects.API_CONTAINER.equals(s.getName()))
                .findFirst();
    }
}
