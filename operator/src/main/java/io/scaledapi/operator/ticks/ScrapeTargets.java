package io.scaledapi.operator.ticks;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.scaledapi.autoscaler.PodSnapshot;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.metrics.PodTarget;
import io.scaledapi.operator.metrics.ScrapeFailure;
import io.scaledapi.operator.owned.OwnedObjects;
import io.scaledapi.operator.owned.StartupBoost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A resource's pods as one tick sees them: the ready ones become scrape targets, the others are reported not ready,
 * and terminating ones (no longer in the Service's endpoints) and ones on the host's network are left out. The scrape's results then become the
 * autoscaler's snapshots, each with its pod's start, readiness and CPU limit.
 */
public final class ScrapeTargets {

    private final List<PodTarget> targets = new ArrayList<>();
    private final List<PodSnapshot> notReady = new ArrayList<>();
    /** Each ready pod's figures, read from its object once per tick. */
    private final Map<String, ReadyPod> ready = new HashMap<>();

    private record ReadyPod(Instant startedAt, Instant readySince, double cpuLimitCores) {}

    private ScrapeTargets() {}

    static ScrapeTargets of(ScaledApi api, Collection<Pod> pods) {
        ScrapeTargets t = new ScrapeTargets();
        String path = api.getSpec().metricsPath();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
                // Its address is the node's: a scrape would reach whatever listens there. The operator's own
                // template never asks for the host's network.
                continue;
            }
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            Instant readySince = readySince(pod);
            if (readySince == null || ip == null || ip.isEmpty()) {
                t.notReady.add(PodSnapshot.notReady(pod.getMetadata().getName(), startedAt(pod)));
            } else {
                t.targets.add(new PodTarget(
                        pod.getMetadata().getNamespace(),
                        pod.getMetadata().getName(),
                        ip,
                        metricsPort(api, pod),
                        path));
                t.ready.put(pod.getMetadata().getName(), new ReadyPod(startedAt(pod), readySince, cpuLimitCores(pod)));
            }
        }
        return t;
    }

    List<PodTarget> targets() {
        return targets;
    }

    /** The snapshots before any scrape: only the pods that are not ready. */
    List<PodSnapshot> withoutScrape() {
        return List.copyOf(notReady);
    }

    /** Every pod's snapshot from the scrape's results; {@code failed} hears each failure's kind. */
    List<PodSnapshot> snapshots(Map<String, PodScraper.Result> results, Consumer<ScrapeFailure> failed) {
        List<PodSnapshot> snapshots = new ArrayList<>(notReady);
        for (PodTarget target : targets) {
            ReadyPod pod = ready.get(target.name());
            PodScraper.Result result = results.get(target.name());
            if (result != null && result.counters() != null) {
                snapshots.add(PodSnapshot.scraped(target.name(), pod.startedAt(), pod.readySince(), result.counters())
                        .withCpuLimit(pod.cpuLimitCores()));
                continue;
            }
            ScrapeFailure kind = result == null ? ScrapeFailure.ERROR : result.kind();
            failed.accept(kind);
            String failure = result == null ? "scrape did not finish" : result.failure();
            // A pod too busy to answer in time, or whose page outgrew the bound, may be drowning: the autoscaler
            // decides from what it knew of the pod whether it counts saturated.
            snapshots.add((kind == ScrapeFailure.TIMEOUT || kind == ScrapeFailure.TOO_LARGE
                            ? PodSnapshot.noFullAnswer(target.name(), pod.startedAt(), pod.readySince(), failure)
                            : PodSnapshot.unscraped(target.name(), pod.startedAt(), pod.readySince(), failure))
                    .withCpuLimit(pod.cpuLimitCores()));
        }
        return snapshots;
    }

    /** The pod's metrics port as its template had it (a rollout may still run pods of an older spec). */
    private static int metricsPort(ScaledApi api, Pod pod) {
        for (Container container : pod.getSpec().getContainers()) {
            for (ContainerPort port : container.getPorts()) {
                if (OwnedObjects.METRICS_PORT_NAME.equals(port.getName())) {
                    return port.getContainerPort();
                }
            }
        }
        return api.getSpec().metricsPort();
    }

    /**
     * The pod's CPU limit in cores, summed over its containers; NaN when one of them has none. A pod created with a
     * start-up boost counts at its steady limit, which a resize gives it once ready: capacity is planned with pods
     * as they will run.
     */
    static double cpuLimitCores(Pod pod) {
        var steady = StartupBoost.steadyCpuLimit(pod);
        if (steady.isPresent() && pod.getSpec().getContainers().size() == 1) {
            return steady.get().doubleValue();
        }
        double cores = 0;
        for (Container container : pod.getSpec().getContainers()) {
            var limits = container.getResources() == null
                    ? null
                    : container.getResources().getLimits();
            var cpu = limits == null ? null : limits.get("cpu");
            if (cpu == null) {
                return Double.NaN;
            }
            cores += cpu.getNumericalAmount().doubleValue();
        }
        return cores > 0 ? cores : Double.NaN;
    }

    private static Instant startedAt(Pod pod) {
        String start = pod.getStatus() != null && pod.getStatus().getStartTime() != null
                ? pod.getStatus().getStartTime()
                : pod.getMetadata().getCreationTimestamp();
        return start == null ? null : Instant.parse(start);
    }

    private static Instant readySince(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return condition.getLastTransitionTime() != null
                        ? Instant.parse(condition.getLastTransitionTime())
                        : Instant.EPOCH;
            }
        }
        return null;
    }
}
