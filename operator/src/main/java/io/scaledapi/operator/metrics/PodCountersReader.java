package io.scaledapi.operator.metrics;

import io.scaledapi.autoscaler.PodCounters;

/**
 * Reads the counters the autoscaler needs out of a pod's metrics: the configured request counter summed over its
 * label sets (without the Actuator's own endpoints, which the operator's scrapes and the probes hit), the matching
 * duration sum, and the cache gets by result when the pod exports them: the pod's own cache, and apart from it the
 * shared tier ({@code cache="shared"}); and the process's CPU time, as {@code process_cpu_seconds_total} (the
 * Prometheus clients' name) or Micrometer's {@code process_cpu_time_ns_total}; and, where the pod counts them,
 * requests as it read them ({@link #ARRIVALS}), the ones it shed ({@link #SHED}), and the ones waiting unread on its
 * connections ({@link #UNREAD}, a gauge).
 */
public final class PodCountersReader {

    /** The counter of requests as they were received, before any work on them (sample-api's). */
    public static final String ARRIVALS = "http_server_arrivals_total";
    /** The counter of requests answered at once beyond the pod's bound on requests in flight. */
    public static final String SHED = "http_server_shed_total";
    /** The gauge of requests sent to the pod and waiting unread on its connections. */
    public static final String UNREAD = "http_server_unread";

    private final String requestCounter;
    private final String durationSum;

    public PodCountersReader(String requestCounter) {
        this.requestCounter = requestCounter;
        this.durationSum = requestCounter.endsWith("_count")
                ? requestCounter.substring(0, requestCounter.length() - "_count".length()) + "_sum"
                : null;
    }

    /** The counters, or an exception naming what is missing. */
    public PodCounters read(String text) {
        PrometheusText.Parsed parsed = PrometheusText.parse(text);
        double requests = 0;
        double durations = 0;
        double hits = 0;
        double misses = 0;
        double sharedHits = 0;
        double sharedMisses = 0;
        boolean foundShared = false;
        boolean foundRequests = false;
        boolean foundDurations = false;
        boolean foundCache = false;
        double cpuSeconds = Double.NaN;
        double arrivals = Double.NaN;
        double shed = Double.NaN;
        double unread = Double.NaN;
        for (PrometheusText.Sample s : parsed.samples()) {
            if (s.name().equals(ARRIVALS)) {
                arrivals = (Double.isNaN(arrivals) ? 0 : arrivals) + s.value();
            } else if (s.name().equals(UNREAD)) {
                unread = s.value();
            } else if (s.name().equals(SHED)) {
                shed = (Double.isNaN(shed) ? 0 : shed) + s.value();
            } else if (s.name().equals("process_cpu_seconds_total")) {
                cpuSeconds = s.value();
            } else if (s.name().equals("process_cpu_time_ns_total") && Double.isNaN(cpuSeconds)) {
                cpuSeconds = s.value() / 1e9;
            } else if (s.name().equals(requestCounter) || s.name().equals(requestCounter + "_total")) {
                if (!isOwnTraffic(s)) {
                    requests += s.value();
                }
                foundRequests = true;
            } else if (s.name().equals(durationSum)) {
                if (!isOwnTraffic(s)) {
                    durations += s.value();
                }
                foundDurations = true;
            } else if (s.name().equals("cache_gets_total") || s.name().equals("cache_gets")) {
                String result = s.labels().getOrDefault("result", "");
                if ("shared".equals(s.labels().get("cache"))) {
                    // The shared tier behind the pod's own cache: its lookups are the local cache's misses.
                    if (result.equals("hit")) {
                        sharedHits += s.value();
                        foundShared = true;
                    } else if (result.equals("miss")) {
                        sharedMisses += s.value();
                        foundShared = true;
                    }
                } else if (result.equals("hit")) {
                    hits += s.value();
                    foundCache = true;
                } else if (result.equals("miss")) {
                    misses += s.value();
                    foundCache = true;
                }
            }
        }
        if (!foundRequests) {
            throw new IllegalArgumentException("no " + requestCounter + " series in the metrics"
                    + (parsed.badLines() > 0 ? " (" + parsed.badLines() + " unreadable lines)" : ""));
        }
        return new PodCounters(
                        requests,
                        foundCache ? hits : Double.NaN,
                        foundCache ? misses : Double.NaN,
                        foundDurations ? durations : Double.NaN,
                        foundDurations ? requests : Double.NaN,
                        foundShared ? sharedHits : Double.NaN,
                        foundShared ? sharedMisses : Double.NaN,
                        cpuSeconds)
                .withArrivals(arrivals, shed, unread);
    }

    private static boolean isOwnTraffic(PrometheusText.Sample s) {
        String uri = s.labels().get("uri");
        return uri != null && uri.startsWith("/actuator");
    }
}
