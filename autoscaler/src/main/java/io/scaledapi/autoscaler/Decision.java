package io.scaledapi.autoscaler;

import java.util.Map;

/**
 * What a tick decided.
 *
 * @param replicas         the replicas to run
 * @param mode             Stable or Burst
 * @param reason           why, in words a person can read
 * @param stableRate       fleet request rate over the stable window (req/s), or NaN when unknown
 * @param burstRate        fleet request rate over the burst window (req/s), or NaN when unknown
 * @param hitRatio         fleet cache hit ratio over the stable window, or NaN when the pods do not export it
 * @param metricsAvailable false when no pod could be scraped, so the decision holds
 * @param metricsMessage   what is wrong with the metrics, or what was seen
 * @param limit            what cut the decision, or null
 * @param sharedHitRatio   the shared tier's hit ratio over the stable window, or NaN without a shared tier
 * @param localHitRates    per pod, the requests per second its own cache answered this tick (what losing it costs)
 * @param metricsProblem   why the metrics were incomplete though the decision could be made ({@code ScrapeTimeout}:
 *                         loaded pods that did not answer were counted saturated), or null
 * @param podCapacity      what one pod was measured to carry (req/s), or NaN before any pod saturated
 */
public record Decision(
        int replicas,
        Mode mode,
        String reason,
        double stableRate,
        double burstRate,
        double hitRatio,
        boolean metricsAvailable,
        String metricsMessage,
        Limit limit,
        double sharedHitRatio,
        Map<String, Double> localHitRates,
        String metricsProblem,
        double podCapacity) {

    public Decision(
            int replicas,
            Mode mode,
            String reason,
            double stableRate,
            double burstRate,
            double hitRatio,
            boolean metricsAvailable,
            String metricsMessage,
            Limit limit) {
        this(
                replicas,
                mode,
                reason,
                stableRate,
                burstRate,
                hitRatio,
                metricsAvailable,
                metricsMessage,
                limit,
                Double.NaN,
                Map.of());
    }

    public Decision(
            int replicas,
            Mode mode,
            String reason,
            double stableRate,
            double burstRate,
            double hitRatio,
            boolean metricsAvailable,
            String metricsMessage,
            Limit limit,
            double sharedHitRatio,
            Map<String, Double> localHitRates) {
        this(
                replicas,
                mode,
                reason,
                stableRate,
                burstRate,
                hitRatio,
                metricsAvailable,
                metricsMessage,
                limit,
                sharedHitRatio,
                localHitRates,
                null,
                Double.NaN);
    }

    public enum Mode {
        Stable,
        Burst
    }
}
