package io.scaledapi.autoscaler;

import java.util.Map;

/**
 * What a tick decided.
 *
 * @param replicas         the replicas to run
 * @param mode             Stable or Burst
 * @param reason           why, in words a person can read
 * @param rates            what the windows saw ({@link Rates#UNKNOWN} when the tick held for want of metrics)
 * @param metricsAvailable false when no pod could be scraped, so the decision holds
 * @param metricsMessage   what is wrong with the metrics, or what was seen
 * @param limit            what cut the decision, or null
 * @param localHitRates    per pod, the requests per second its own cache answered this tick (what losing it costs)
 * @param metricsProblem   why the metrics were incomplete though the decision could be made ({@code ScrapeTimeout}:
 *                         loaded pods that did not answer were counted saturated), or null
 * @param podCapacity      what one pod was measured to carry (req/s) as replicas are planned with it (re-measured, and
 *                         replaced when it moves past the tolerance), or NaN before any pod saturated
 */
public record Decision(
        int replicas,
        Mode mode,
        String reason,
        Rates rates,
        boolean metricsAvailable,
        String metricsMessage,
        Limit limit,
        Map<String, Double> localHitRates,
        String metricsProblem,
        double podCapacity) {

    public enum Mode {
        Stable,
        Burst
    }
}
