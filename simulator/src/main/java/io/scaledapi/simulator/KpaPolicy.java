package io.scaledapi.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Knative's KPA with the rps metric, as knative/serving decides it. What it sees: each pod's queue-proxy counts a
 * request when it arrives, before its breaker ({@code pkg/queue/handler.go}, {@code pkg/queue/stats}), so the
 * metric is arrivals, not what the pod managed to serve. The decision ({@code pkg/autoscaler/scaling/autoscaler.go}):
 * the fleet rate averaged over the stable window and the panic window (10 % of it); the per-pod aim is target x
 * utilization (0.7); desired = ceil(observed / aim) for each, clamped to [floor(ready / maxScaleDownRate),
 * ceil(ready x maxScaleUpRate)]; panic starts or is extended whenever the unclamped panic desired count divided by
 * the ready pods reaches the threshold, and ends one stable window after the last such tick; while panicking the
 * decision is max(stable, panic), ratcheted by the most pods asked for in this panic (never down). A KPA created
 * with more than one ready pod starts in panic at that count (it has no history and must not scale down on it).
 */
public final class KpaPolicy implements Policy {

    private final SimulationConfig.Kpa c;
    private final int min;
    private final int max;
    private final Deque<double[]> buckets = new ArrayDeque<>(); // {time, fleet arrivals per second}
    private final Map<String, Double> lastArrivals = new HashMap<>();
    private double lastTick = Double.NaN;
    private double panicTime = Double.NaN;
    private int maxPanicPods;
    private boolean started;

    public KpaPolicy(SimulationConfig.Kpa config, int min, int max) {
        this.c = config;
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return "kpa";
    }

    @Override
    public double periodSeconds() {
        return c.tickSeconds;
    }

    /** The per-pod rate the KPA aims at. */
    double targetValue() {
        return c.targetRequestsPerSecond * c.targetUtilization;
    }

    boolean panicking() {
        return !Double.isNaN(panicTime);
    }

    @Override
    public int decide(int now, int current, FleetView fleet) {
        int ready = 0;
        double arrived = 0;
        for (SimPod pod : fleet.pods()) {
            if (!pod.ready()) {
                continue;
            }
            ready++;
            Double before = lastArrivals.put(pod.name(), pod.arrivals());
            if (before != null) {
                arrived += pod.arrivals() - before;
            }
        }
        lastArrivals.keySet().retainAll(fleet.pods().stream().map(SimPod::name).toList());
        if (!started) {
            started = true;
            lastTick = now;
            if (ready > 1) {
                panicTime = now; // autoscaler.New: start in panic above one pod, at the present scale
                maxPanicPods = ready;
            }
            return current; // no metrics collected yet
        }
        double elapsed = now - lastTick;
        lastTick = now;
        buckets.addLast(new double[] {now, elapsed > 0 ? arrived / elapsed : 0});
        while (!buckets.isEmpty() && buckets.peekFirst()[0] <= now - c.stableWindowSeconds) {
            buckets.removeFirst();
        }
        double panicWindow = c.stableWindowSeconds * c.panicWindowPercentage / 100;
        double observedStable = average(now - c.stableWindowSeconds);
        double observedPanic = average(now - panicWindow);
        double readyPods = Math.max(1, ready);
        double maxScaleUp = Math.ceil(c.maxScaleUpRate * readyPods);
        double maxScaleDown = Math.floor(readyPods / c.maxScaleDownRate);
        double dspc = Math.ceil(observedStable / targetValue());
        double dppc = Math.ceil(observedPanic / targetValue());
        int desiredStable = (int) Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
        int desiredPanic = (int) Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
        boolean overThreshold = dppc / readyPods >= c.panicThreshold;
        if (overThreshold) {
            panicTime = now; // begin, or extend
        } else if (panicking() && panicTime + c.stableWindowSeconds < now) {
            panicTime = Double.NaN; // the surge has reached the stable window
            maxPanicPods = 0;
        }
        int desired = desiredStable;
        if (panicking()) {
            desired = Math.max(desired, desiredPanic);
            maxPanicPods = Math.max(maxPanicPods, desired);
            desired = maxPanicPods;
        }
        return Math.max(min, Math.min(max, desired));
    }

    private double average(double since) {
        double sum = 0;
        int n = 0;
        for (double[] b : buckets) {
            if (b[0] > since) {
                sum += b[1];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }
}
