package io.scaledapi.simulator;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The fleet model and each policy's parameters. Defaults describe sample-api serving the catalog: 4 workers, 2 ms
 * hits and 25 ms misses, 60,000 keys of Zipf popularity (exponent 1.2) behind a 60 s TTL, so that a warm replica
 * serving 600 req/s hits 87 % and carries about 810 req/s; the shipped target is about 75 % of that.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public class SimulationConfig {

    public Fleet fleet = new Fleet();
    public ScaledApi scaledapi = new ScaledApi();
    public Hpa hpa = new Hpa();
    public Kpa kpa = new Kpa();

    public static class Fleet {
        public int workersPerReplica = 4;
        public double hitServiceMs = 2;
        public double missServiceMs = 25;
        /** How a new pod's cache warms: "keys" (as its keys recur) or "linear" (0 to warmHitRatio over the TTL). */
        public String cacheWarmup = "keys";

        public int keys = 60_000;
        public double zipfExponent = 1.2;
        public double cacheTtlSeconds = 60;
        /**
         * A shared tier (Redis) behind each pod's cache: a pod's local miss is a shared hit at the fleet's hit ratio
         * (the tier holds what any pod loaded within the TTL), served in sharedServiceMs instead of a miss's time.
         */
        public boolean sharedCache = false;

        public double sharedServiceMs = 4;
        /** The warm hit ratio of the pessimistic linear warm-up. */
        public double warmHitRatio = 0.87;
        /**
         * Creation to ready, with uniform jitter of +- startupJitterSeconds: what bench/scale-up.sh measured per new
         * pod on the real node with the images' AOT cache, the warm-up 16 requests at a time and the start-up CPU
         * boost, on two machines of this kind: 8.4-8.6 s on one, 11.0-12.4 s on the other (12.5 s p50 with the
         * warm-up 4 at a time; 21.6-22.8 s without the boost).
         */
        public double startupSeconds = 10.5;

        public double startupJitterSeconds = 2.0;
        /** Creation to running (scheduled, image present): the HPA counts a Pending pod unready. */
        public double pendingSeconds = 3;
        /**
         * What a pod really carries against this model, as a factor on its service rate: 0.7 is a fleet 30 % weaker
         * than the one the policies' targets were tuned on (a slower machine), 1.3 one 30 % stronger.
         */
        public double capacityFactor = 1;
        /**
         * Whether the pods serve their metrics apart from the API (their own port and event loop). When false, a scrape
         * is a request in the pod's queue: it gets no answer within {@link #scrapeTimeoutSeconds} once the queue is
         * longer than that, as on the fresh machine where the operator went blind.
         */
        public boolean metricsApart = true;

        public double scrapeTimeoutSeconds = 1;
        /** Requests a replica may queue; beyond this they fail. */
        public int queueBound = 400;
        /** A second is bad when its p95 is above this ... */
        public double sloP95Ms = 100;
        /** ... or more than this share of its arrivals failed. */
        public double failureBudget = 0.001;

        public int initialReplicas = 1;
    }

    public static class ScaledApi {
        public int minReplicas = 1;
        public int maxReplicas = 40;
        public double targetRequestsPerSecond = 600;
        public double intervalSeconds = 2;
        /**
         * The pods export what was sent to them, as sample-api does with UNREAD_REQUESTS_INTERVAL set (it is off by
         * default, so the example's pods do not): requests read, and those waiting unread on their
         * connections (bench/arrival-lag.sh measured the two together within 0.3 s of what k6 sent, on a throttled pod).
         * False: only what they served, as an API without those series.
         */
        public boolean podsCountArrivals = true;
    }

    /** An autoscaling/v2 HPA on a requests-per-second metric served by prometheus-adapter. */
    public static class Hpa {
        public double targetRequestsPerSecond = 600;
        /** "pods": the pods' served counter (a Pods metric); "object": arrivals at the ingress (an Object metric, AverageValue). */
        public String metric = "pods";
        /** "default": autoscaling/v2's default behavior; "legacy": behavior nil (up to max(2x, 4), no down rate limit). */
        public String behavior = "default";

        public double syncPeriodSeconds = 15;
        public double scrapeIntervalSeconds = 15;
        /** The adapter's rate(...[window]). */
        public double rateWindowSeconds = 120;

        public double tolerance = 0.1;
        public double downStabilizationSeconds = 300;
        public int upMaxPods = 4;
        public int upMaxPercent = 100;
        public double upPeriodSeconds = 15;
        public int downMaxPercent = 100;
        public double downPeriodSeconds = 15;
    }

    /** Knative's KPA on the rps metric, with its defaults (config-autoscaler). */
    public static class Kpa {
        public double targetRequestsPerSecond = 600;
        public double targetUtilization = 0.7;
        public double tickSeconds = 2;
        public double stableWindowSeconds = 60;
        public double panicWindowPercentage = 10;
        public double panicThreshold = 2.0;
        public double maxScaleDownRate = 2.0;
        public double maxScaleUpRate = 1000.0;
    }
}
