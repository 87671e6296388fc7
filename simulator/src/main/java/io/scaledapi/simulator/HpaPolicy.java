package io.scaledapi.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * The Kubernetes HPA (autoscaling/v2) on a requests-per-second metric that prometheus-adapter serves, as
 * {@code pkg/controller/podautoscaler/horizontal.go} and {@code replica_calculator.go} compute it.
 * <p>
 * The metric path: Prometheus scrapes each pod (and the ingress) every scrape interval, at an offset of its own;
 * the adapter answers with {@code rate(counter[window])} over the samples in the window, so a pod has no value until
 * it has been scraped twice. The metric is either each pod's served counter (a Pods metric) or the ingress's count
 * of arrivals (an Object metric with an AverageValue target).
 * <p>
 * Every sync period (15 s, at a phase of its own): for a Pods metric, {@code groupPods} for a non-CPU metric counts
 * only Pending pods unready and pods without a value missing; the ratio of the average to the target, no change
 * within the tolerance; missing pods count as the target on a scale-down and as 0 on a scale-up, unready pods as 0
 * on a scale-up, and the ratio is recomputed with them (no change if that flips its direction or falls within the
 * tolerance). For an Object metric: ratio = value / (target x replicas), and ceil(value / target) outside the
 * tolerance. Then the behavior: by default stabilization (up: lowest recommendation of 0 s, down: highest of the
 * window) and rate limits (up: max of +100 % and +4 pods per 15 s; down: -100 % per 15 s), relative to the
 * replicas at the start of each period; with {@code behavior: nil} the legacy path: the highest recommendation of
 * the down window, and up to max(2 x current, 4) at once. Then min and max.
 */
public final class HpaPolicy implements Policy {

    private final SimulationConfig.Hpa c;
    private final int min;
    private final int max;
    private final boolean objectMetric;
    private final boolean legacy;
    private final double phase;
    private final long seed;
    private final Deque<double[]> recommendations = new ArrayDeque<>(); // {time, replicas}
    private final Deque<double[]> events = new ArrayDeque<>(); // {time, delta}

    public HpaPolicy(SimulationConfig.Hpa config, int min, int max, long seed) {
        this.c = config;
        this.min = min;
        this.max = max;
        this.seed = seed;
        this.objectMetric = switch (config.metric) {
            case "pods" -> false;
            case "object" -> true;
            default -> throw new IllegalArgumentException("hpa.metric must be pods or object, got " + config.metric);
        };
        this.legacy = switch (config.behavior) {
            case "default" -> false;
            case "legacy" -> true;
            default ->
                throw new IllegalArgumentException("hpa.behavior must be default or legacy, got " + config.behavior);
        };
        this.phase = new Random(seed * 31 + 7).nextDouble() * config.syncPeriodSeconds;
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
    public double phaseSeconds() {
        return phase;
    }

    @Override
    public int decide(int now, int current, FleetView fleet) {
        Integer computed =
                objectMetric ? objectReplicas(now, current, fleet) : podsReplicas(now, current, fleet.pods());
        if (computed == null) {
            return current; // the metric could not be read: the HPA skips the sync
        }
        return legacy ? legacyNormalize(now, current, computed) : normalizeWithBehaviors(now, current, computed);
    }

    // --- the metric path

    /** Where in the scrape interval Prometheus scrapes a target: fixed per target, as its hash-based offset is. */
    double scrapeOffset(String target) {
        long h = target.hashCode() * 0x9E3779B97F4A7C15L + seed;
        return Math.floorMod(h, 1_000_000L) / 1_000_000.0 * c.scrapeIntervalSeconds;
    }

    /** rate(counter[window]) at {@code now} from the scrapes since {@code from}, or null with fewer than two. */
    Double rate(String target, double from, int now, CounterHistory counter) {
        double offset = scrapeOffset(target);
        double windowStart = Math.max(from, now - c.rateWindowSeconds);
        double first = offset + Math.ceil((windowStart - offset) / c.scrapeIntervalSeconds) * c.scrapeIntervalSeconds;
        if (first <= windowStart) {
            first += c.scrapeIntervalSeconds;
        }
        double last = offset + Math.floor((now - offset) / c.scrapeIntervalSeconds) * c.scrapeIntervalSeconds;
        if (last - first < c.scrapeIntervalSeconds - 1e-9) {
            return null;
        }
        return (counter.at((int) Math.floor(last)) - counter.at((int) Math.floor(first)))
                / (Math.floor(last) - Math.floor(first));
    }

    private Integer podsReplicas(int now, int current, List<SimPod> pods) {
        double sum = 0;
        int withMetrics = 0;
        List<SimPod> missing = new ArrayList<>();
        int unready = 0;
        for (SimPod pod : pods) {
            if (pod.pending(now)) {
                unready++;
                continue;
            }
            // The app's endpoint answers once it is up, about when it turns ready; a scrape it does not answer leaves
            // Prometheus no fresh sample, and the adapter no value for the pod.
            Double value = pod.metricsAnswered()
                    ? rate(pod.name(), Math.max(pod.readyAt(), pod.createdSecond()), now, pod.history())
                    : null;
            if (value == null) {
                missing.add(pod);
                continue;
            }
            sum += value;
            withMetrics++;
        }
        if (withMetrics == 0) {
            return null; // "did not receive metrics for targeted pods"
        }
        double target = c.targetRequestsPerSecond;
        double ratio = sum / withMetrics / target;
        boolean scaleUpWithUnready = unready > 0 && ratio > 1;
        if (!scaleUpWithUnready && missing.isEmpty()) {
            return Math.abs(1 - ratio) <= c.tolerance ? current : (int) Math.ceil(ratio * withMetrics);
        }
        double newSum = sum + (ratio < 1 ? missing.size() * target : 0);
        int counted = withMetrics + missing.size() + (scaleUpWithUnready ? unready : 0);
        double newRatio = newSum / counted / target;
        if (Math.abs(1 - newRatio) <= c.tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
            return current;
        }
        return (int) Math.ceil(newRatio * counted);
    }

    private Integer objectReplicas(int now, int current, FleetView fleet) {
        Double value = rate("ingress", 0, now, fleet.ingressArrivals());
        if (value == null) {
            return null;
        }
        double ratio = value / (c.targetRequestsPerSecond * current);
        return Math.abs(1 - ratio) > c.tolerance ? (int) Math.ceil(value / c.targetRequestsPerSecond) : current;
    }

    // --- normalization

    private int normalizeWithBehaviors(int now, int current, int proposed) {
        // stabilizeRecommendationWithBehaviors: up window 0 s (only this recommendation), down window as configured.
        int up = proposed;
        int down = proposed;
        for (double[] r : recommendations) {
            if (r[0] > now - c.downStabilizationSeconds) {
                down = Math.max(down, (int) r[1]);
            }
        }
        remember(now, proposed);
        int desired = Math.min(Math.max(current, up), down);
        // convertDesiredReplicasWithBehaviorRate
        if (desired > current) {
            int added = changeSince(now - c.upPeriodSeconds, true);
            int deleted = -changeSince(now - c.upPeriodSeconds, false);
            int start = current - added + deleted;
            int limit = Math.max(start + c.upMaxPods, (int) Math.ceil(start * (1 + c.upMaxPercent / 100.0)));
            desired = Math.min(desired, Math.min(max, Math.max(current, limit)));
        } else if (desired < current) {
            int added = changeSince(now - c.downPeriodSeconds, true);
            int deleted = -changeSince(now - c.downPeriodSeconds, false);
            int start = current - added + deleted;
            int limit = (int) (start * (1 - c.downMaxPercent / 100.0));
            desired = Math.max(desired, Math.max(min, Math.min(current, limit)));
        }
        return record(now, current, Math.max(min, Math.min(max, desired)));
    }

    private int legacyNormalize(int now, int current, int proposed) {
        int stabilized = proposed;
        for (double[] r : recommendations) {
            if (r[0] > now - c.downStabilizationSeconds) {
                stabilized = Math.max(stabilized, (int) r[1]);
            }
        }
        remember(now, proposed);
        int upLimit = Math.max(2 * current, 4);
        int desired = Math.min(stabilized, Math.min(max, upLimit));
        return record(now, current, Math.max(min, desired));
    }

    private void remember(int now, int proposed) {
        recommendations.addLast(new double[] {now, proposed});
        while (!recommendations.isEmpty()
                && recommendations.peekFirst()[0] <= now - Math.max(c.downStabilizationSeconds, 1)) {
            recommendations.removeFirst();
        }
    }

    private int record(int now, int current, int desired) {
        if (desired != current) {
            events.addLast(new double[] {now, desired - current});
        }
        while (!events.isEmpty() && events.peekFirst()[0] <= now - Math.max(c.upPeriodSeconds, c.downPeriodSeconds)) {
            events.removeFirst();
        }
        return desired;
    }

    private int changeSince(double since, boolean ups) {
        int sum = 0;
        for (double[] e : events) {
            if (e[0] > since && (e[1] > 0) == ups) {
                sum += (int) e[1];
            }
        }
        return sum;
    }
}
