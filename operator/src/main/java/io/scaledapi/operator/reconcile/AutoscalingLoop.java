package io.scaledapi.operator.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.autoscaling.Autoscaler;
import io.scaledapi.operator.autoscaling.AutoscalerState;
import io.scaledapi.operator.autoscaling.Decision;
import io.scaledapi.operator.autoscaling.PodSnapshot;
import io.scaledapi.operator.autoscaling.ScalingPolicy;
import io.scaledapi.operator.metrics.PodCountersReader;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.metrics.PodTarget;

/**
 * The glue between the cluster and the autoscaler: one {@link Autoscaler} per ScaledApi (restored from its status
 * after a restart), fed on each due tick with the scrape of the resource's pods. Ticks come from the reconciler's
 * reschedule; reconciles in between (pod or Deployment events) reuse the last decision.
 */
final class AutoscalingLoop {

    private static final Logger log = LoggerFactory.getLogger(AutoscalingLoop.class);
    /** Reconciles a little early still count as the tick, so a reschedule's jitter does not skip one. */
    private static final long TICK_SLACK_MILLIS = 250;

    /** The autoscaler's latest word on a resource. */
    record Tick(Decision decision, AutoscalerState state, boolean fresh) {
    }

    private final Clock clock;
    private final PodScraper scraper;
    private final Map<String, Autoscaler> autoscalers = new ConcurrentHashMap<>();
    private final Map<String, Decision> lastDecisions = new ConcurrentHashMap<>();

    AutoscalingLoop(Clock clock, PodScraper scraper) {
        this.clock = clock;
        this.scraper = scraper;
    }

    /** The decision for now: a new one when a tick is due, else the last one (empty before the first). */
    Optional<Tick> tick(ScaledApi api, Set<Pod> pods, int currentReplicas) {
        String key = api.getMetadata().getUid();
        String name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
        ScalingPolicy policy = ScalingPolicies.from(api.getSpec());
        Autoscaler autoscaler = autoscalers.computeIfAbsent(key, k -> new Autoscaler(name, policy, clock,
                api.getStatus() != null ? api.getStatus().recommendations : null));
        autoscaler.updatePolicy(policy);
        Long last = autoscaler.state().lastTick;
        long now = clock.millis();
        if (last != null && now - last < policy.interval().toMillis() - TICK_SLACK_MILLIS) {
            Decision previous = lastDecisions.get(key);
            return previous == null ? Optional.empty() : Optional.of(new Tick(previous, autoscaler.state(), false));
        }
        List<PodSnapshot> snapshots = observe(api, pods);
        Decision decision = autoscaler.decide(snapshots, currentReplicas);
        lastDecisions.put(key, decision);
        log.debug("{} tick: {}", name, decision.reason());
        return Optional.of(new Tick(decision, autoscaler.state(), true));
    }

    void forget(Set<String> liveUids) {
        autoscalers.keySet().retainAll(liveUids);
        lastDecisions.keySet().retainAll(liveUids);
    }

    private List<PodSnapshot> observe(ScaledApi api, Set<Pod> pods) {
        String path = api.getSpec().metrics != null && api.getSpec().metrics.path != null ? api.getSpec().metrics.path : "/actuator/prometheus";
        String counter = api.getSpec().metrics != null && api.getSpec().metrics.requestCounter != null
                ? api.getSpec().metrics.requestCounter : "http_server_requests_seconds_count";
        List<PodTarget> targets = new ArrayList<>();
        List<PodSnapshot> snapshots = new ArrayList<>();
        Map<String, Pod> byName = new java.util.HashMap<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue; // terminating: no longer in the Service's endpoints
            }
            Instant started = startedAt(pod);
            Instant readySince = readySince(pod);
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            if (readySince == null || ip == null || ip.isEmpty()) {
                snapshots.add(PodSnapshot.notReady(pod.getMetadata().getName(), started));
            } else {
                targets.add(new PodTarget(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), ip, port(api, pod), path));
                byName.put(pod.getMetadata().getName(), pod);
            }
        }
        if (!targets.isEmpty()) {
            Map<String, PodScraper.Result> results;
            try {
                results = scraper.scrape(targets, new PodCountersReader(counter)).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                results = Map.of();
            }
            for (PodTarget target : targets) {
                Pod pod = byName.get(target.name());
                PodScraper.Result result = results.get(target.name());
                if (result != null && result.counters() != null) {
                    snapshots.add(PodSnapshot.scraped(target.name(), startedAt(pod), readySince(pod), result.counters()));
                } else {
                    snapshots.add(PodSnapshot.unscraped(target.name(), startedAt(pod), readySince(pod),
                            result == null ? "scrape did not finish" : result.failure()));
                }
            }
        }
        return snapshots;
    }

    private static int port(ScaledApi api, Pod pod) {
        for (Container container : pod.getSpec().getContainers()) {
            for (ContainerPort port : container.getPorts()) {
                if (OwnedObjects.PORT_NAME.equals(port.getName())) {
                    return port.getContainerPort();
                }
            }
        }
        return api.getSpec().port != null ? api.getSpec().port : 8080;
    }

    private static Instant startedAt(Pod pod) {
        String start = pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime()
                : pod.getMetadata().getCreationTimestamp();
        return start == null ? null : Instant.parse(start);
    }

    private static Instant readySince(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return condition.getLastTransitionTime() != null ? Instant.parse(condition.getLastTransitionTime()) : Instant.EPOCH;
            }
        }
        return null;
    }

    static Duration interval(ScaledApi api) {
        return ScalingPolicies.from(api.getSpec()).interval();
    }

    /** Copies the decision into the status fields the autoscaler owns. */
    static void report(ScaledApiStatus status, Tick tick) {
        Decision d = tick.decision();
        if (Double.isFinite(d.stableRate())) {
            status.requestRate = new ScaledApiStatus.RequestRate();
            status.requestRate.stable = round(d.stableRate());
            status.requestRate.burst = round(d.burstRate());
        }
        if (Double.isFinite(d.hitRatio())) {
            status.cacheHitRatio = Math.round(d.hitRatio() * 1000) / 1000.0;
            status.cacheHitPercent = (int) Math.round(d.hitRatio() * 100);
        }
        status.recommendations = tick.state();
        if (tick.state().lastScale != null) {
            status.lastScaleTime = java.time.Instant.ofEpochMilli(tick.state().lastScale).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
            status.lastDecision = tick.state().lastDecision;
        }
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
