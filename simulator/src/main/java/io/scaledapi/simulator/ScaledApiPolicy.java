package io.scaledapi.simulator;

import io.scaledapi.autoscaler.Autoscaler;
import io.scaledapi.autoscaler.PodCounters;
import io.scaledapi.autoscaler.PodSnapshot;
import io.scaledapi.autoscaler.ScalingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** ScaledApi's own autoscaler, the very class the operator runs, on a simulated clock. */
public final class ScaledApiPolicy implements Policy {

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    /** The trace's time, as the autoscaler reads it: set by {@link #decide} before each decision. */
    private volatile Instant now = EPOCH;

    private final Clock clock = ((InstantSource) () -> now).withZone(ZoneOffset.UTC);
    private final Autoscaler autoscaler;
    private final double period;

    private final boolean podsCountArrivals;

    public ScaledApiPolicy(SimulationConfig.ScaledApi config) {
        this(
                ScalingPolicy.defaults(config.minReplicas, config.maxReplicas, config.targetRequestsPerSecond)
                        .withInterval(Duration.ofMillis(Math.round(config.intervalSeconds * 1000))),
                config.podsCountArrivals);
    }

    /**
     * The autoscaler with a policy as the operator builds it (from a ScaledApi's spec, say), reading pods that export
     * what was sent to them or not.
     */
    public ScaledApiPolicy(ScalingPolicy policy, boolean podsCountArrivals) {
        this.autoscaler = new Autoscaler("simulation/scaledapi", policy, clock, null);
        this.period = policy.interval().toMillis() / 1000.0;
        this.podsCountArrivals = podsCountArrivals;
    }

    @Override
    public String name() {
        return "scaledapi";
    }

    @Override
    public double periodSeconds() {
        return period;
    }

    @Override
    public int decide(int nowSecond, int currentReplicas, FleetView fleet) {
        now = EPOCH.plusSeconds(nowSecond);
        List<PodSnapshot> snapshots = new ArrayList<>();
        for (SimPod pod : fleet.pods()) {
            // Pods that were running before the trace began have no start-up time to learn from.
            Instant created = pod.readyAt() < pod.createdSecond() ? null : EPOCH.plusSeconds(pod.createdSecond());
            if (!pod.ready()) {
                snapshots.add(PodSnapshot.notReady(pod.name(), created));
            } else if (!pod.metricsAnswered()) {
                snapshots.add(PodSnapshot.noFullAnswer(
                        pod.name(),
                        created,
                        EPOCH.plusMillis(Math.round(pod.readyAt() * 1000)),
                        "no full answer within the scrape timeout"));
            } else {
                snapshots.add(PodSnapshot.scraped(
                        pod.name(),
                        created,
                        EPOCH.plusMillis(Math.round(pod.readyAt() * 1000)),
                        new PodCounters(
                                        pod.requests(),
                                        pod.hits(),
                                        pod.misses(),
                                        pod.durationSum(),
                                        pod.durationCount(),
                                        pod.sharedHits(),
                                        pod.sharedMisses())
                                .withArrivals(
                                        // A throttled pod reads a request when it serves it; the rest waits unread.
                                        podsCountArrivals ? pod.requests() : Double.NaN,
                                        Double.NaN,
                                        podsCountArrivals ? pod.unread() : Double.NaN)));
            }
        }
        return autoscaler.decide(snapshots, currentReplicas).replicas();
    }
}
