package io.scaledapi.operator.simulation;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The Kubernetes HPA (autoscaling/v2) with a Pods metric of requests per second, as kubernetes'
 * {@code pkg/controller/podautoscaler/horizontal.go} and {@code replica_calculator.go} compute it: every sync period,
 * the usage ratio of the ready pods' average (the metric is a rate over the last minute, as a Prometheus adapter
 * serves it) to the target; no change within the tolerance; on scale-up, not-yet-ready pods count as 0 and the
 * ratio is recomputed with them; the default behaviour's stabilization (up 0 s, down 300 s: the highest
 * recommendation of the window) and rate limits (up: max of 100 % and 4 pods per 15 s; down: 100 % per 15 s,
 * relative to the replicas at the start of the period); then min and max.
 */
public final class HpaPolicy implements Policy {

    private final SimulationConfig.Hpa c;
    private final int min;
    private final int max;
    private final Deque<double[]> recommendations = new ArrayDeque<>(); // {time, replicas}
    private final Deque<double[]> events = new ArrayDeque<>(); // {time, delta}

    public HpaPolicy(SimulationConfig.Hpa config, int min, int max) {
        this.c = config;
        this.min = min;
        this.max = max;
    }

    @Override
    public String name() {
        return "hpa";
    }

    @Override
    public double periodSeconds() {
        return c.syncPeriodSeconds;
    }

    @Override
    public int decide(int now, int current, List<SimPod> pods) {
        if (now == 0) {
            return current; // no metrics yet: the HPA skips the sync (it cannot compute a ratio)
        }
        int window = (int) c.metricWindowSeconds;
        double sum = 0;
        int ready = 0;
        int unready = 0;
        for (SimPod pod : pods) {
            if (!pod.ready()) {
                unready++;
                continue;
            }
            int from = Math.max(pod.createdSecond(), now - window);
            double span = Math.max(1, now - from);
            sum += (pod.requestsAt(now) - pod.requestsAt(from)) / span;
            ready++;
        }
        int recommendation = current;
        if (ready > 0) {
            double ratio = sum / ready / c.targetRequestsPerSecond;
            if (Math.abs(ratio - 1) > c.tolerance) {
                if (ratio > 1 && unready > 0) {
                    // replica_calculator: unready pods count as using 0 when scaling up.
                    double newRatio = sum / (ready + unready) / c.targetRequestsPerSecond;
                    recommendation = newRatio <= 1 || Math.abs(newRatio - 1) <= c.tolerance ? current
                            : (int) Math.ceil(newRatio * (ready + unready));
                } else {
                    recommendation = (int) Math.ceil(ratio * ready);
                }
            }
        }
        // Stabilization: the highest recommendation of the down window when scaling down (up window 0 s).
        recommendations.addLast(new double[] {now, recommendation});
        while (!recommendations.isEmpty() && recommendations.peekFirst()[0] <= now - c.downStabilizationSeconds) {
            recommendations.removeFirst();
        }
        int desired = recommendation;
        if (recommendation < current) {
            for (double[] r : recommendations) {
                desired = Math.max(desired, (int) r[1]);
            }
            desired = Math.min(desired, current);
        }
        // Rate limits relative to the replicas at the start of each period.
        while (!events.isEmpty() && events.peekFirst()[0] <= now - Math.max(c.upPeriodSeconds, c.downPeriodSeconds)) {
            events.removeFirst();
        }
        if (desired > current) {
            int start = current - added(now - c.upPeriodSeconds);
            int limit = Math.max(start + c.upMaxPods, (int) Math.ceil(start * (1 + c.upMaxPercent / 100.0)));
            desired = Math.min(desired, Math.max(current, limit));
        } else if (desired < current) {
            int start = current - added(now - c.downPeriodSeconds);
            int limit = (int) Math.ceil(start * (1 - c.downMaxPercent / 100.0));
            desired = Math.max(desired, Math.min(current, limit));
        }
        desired = Math.max(min, Math.min(max, desired));
        if (desired != current) {
            events.addLast(new double[] {now, desired - current});
        }
        return desired;
    }

    private int added(double since) {
        int sum = 0;
        for (double[] e : events) {
            if (e[0] > since) {
                sum += (int) e[1];
            }
        }
        return sum;
    }
}
