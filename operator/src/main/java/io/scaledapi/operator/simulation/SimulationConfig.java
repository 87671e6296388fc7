package io.scaledapi.operator.simulation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The fleet model and each policy's parameters. Defaults describe sample-api: a warm replica with 4 workers, 2 ms
 * hits and 25 ms misses at a 90 % hit ratio carries about 930 req/s; the shipped target is about 75 % of that.
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
        public double warmHitRatio = 0.9;
        /** A new pod's hit ratio grows from 0 to warm over this many seconds (the cache TTL). */
        public double warmupSeconds = 60;
        public double startupSeconds = 20;
        public double startupJitterSeconds = 4;
        /** Requests a replica may queue; beyond this they fail. */
        public int queueBound = 400;
        /** The latency target whose p95 the report checks each second. */
        public double sloP95Ms = 100;
        public int initialReplicas = 1;
    }

    public static class ScaledApi {
        public int minReplicas = 1;
        public int maxReplicas = 40;
        public double targetRequestsPerSecond = 700;
        public double intervalSeconds = 2;
    }

    public static class Hpa {
        public double targetRequestsPerSecond = 700;
        public double syncPeriodSeconds = 15;
        public double tolerance = 0.1;
        public double metricWindowSeconds = 60;
        public double downStabilizationSeconds = 300;
        public int upMaxPods = 4;
        public int upMaxPercent = 100;
        public double upPeriodSeconds = 15;
        public int downMaxPercent = 100;
        public double downPeriodSeconds = 15;
    }

    public static class Kpa {
        public double targetRequestsPerSecond = 700;
        public double targetUtilization = 0.7;
        public double tickSeconds = 2;
        public double stableWindowSeconds = 60;
        public double panicWindowSeconds = 6;
        public double panicThreshold = 2.0;
        public double maxScaleDownRate = 2.0;
        public double maxScaleUpRate = 1000.0;
    }
}
