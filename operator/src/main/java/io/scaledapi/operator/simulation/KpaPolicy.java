package io.scaledapi.operator.simulation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Knative's KPA, as knative/serving {@code pkg/autoscaler/scaling/autoscaler.go} decides with the rps metric: every
 * tick, the observed fleet rate averaged over the stable (60 s) and panic (6 s) windows; per-pod target = target x
 * utilization (70 %); desired = ceil(observed / per-pod target) for each window, clamped to
 * [floor(ready / max scale-down rate), ceil(ready x max scale-up rate)]; panic starts when the panic desired count
 * reaches the panic threshold (200 %) of ready pods, never scales down while panicking, and ends one stable window
 * after the last tick over the threshold.
 */
public final class KpaPolicy implements Policy {

    private final SimulationConfig.Kpa c;
    private final int min;
    private final int max;
    private final Deque<double[]> observed = new ArrayDeque<>(); // {time, total rps}
    private double panicUntil = -1;

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

    @Override
    public int decide(int now, int current, List<SimPod> pods) {
        if (now == 0) {
            return current; // no metrics collected yet: the KPA keeps the scale it has
        }
        // The metric collector: the fleet's request rate over the last tick, from the ready pods' counters.
        double rps = 0;
        int ready = 0;
        int from = (int) Math.round(now - c.tickSeconds);
        for (SimPod pod : pods) {
            if (pod.ready()) {
                ready++;
                rps += (pod.requestsAt(now) - pod.requestsAt(Math.max(from, pod.createdSecond()))) / c.tickSeconds;
            }
        }
        observed.addLast(new double[] {now, rps});
        while (!observed.isEmpty() && observed.peekFirst()[0] <= now - c.stableWindowSeconds) {
            observed.removeFirst();
        }
        double stable = average(now - c.stableWindowSeconds);
        double panic = average(now - c.panicWindowSeconds);
        double perPod = c.targetRequestsPerSecond * c.targetUtilization;
        int readyForRates = Math.max(1, ready);
        int maxUp = (int) Math.ceil(c.maxScaleUpRate * readyForRates);
        int maxDown = (int) Math.floor(readyForRates / c.maxScaleDownRate);
        int desiredStable = clamp((int) Math.ceil(stable / perPod), maxDown, maxUp);
        int desiredPanic = clamp((int) Math.ceil(panic / perPod), maxDown, maxUp);
        boolean overThreshold = desiredPanic / (double) readyForRates >= c.panicThreshold;
        if (overThreshold) {
            panicUntil = now + c.stableWindowSeconds;
        }
        int desired;
        if (now < panicUntil) {
            desired = Math.max(desiredPanic, current); // never scale down while panicking
        } else {
            panicUntil = -1;
            desired = desiredStable;
        }
        return Math.max(min, Math.min(max, desired));
    }

    private double average(double since) {
        double sum = 0;
        int n = 0;
        for (double[] o : observed) {
            if (o[0] > since) {
                sum += o[1];
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    private static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
