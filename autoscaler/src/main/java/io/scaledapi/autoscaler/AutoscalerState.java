package io.scaledapi.autoscaler;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the autoscaler remembers between ticks, bounded by its windows: the per-tick fleet rates, the
 * recommendations of the stabilization window, recent scale events (rate limits), burst mode, the last counters
 * of each pod, and the measured start-up time. Kept in the operator's memory and checkpointed (see {@link Checkpoint}),
 * so a new operator process restores it and decides as the old one would have. Times are epoch milliseconds.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AutoscalerState {

    public List<RateSample> rates = new ArrayList<>();
    public List<Recommendation> recommendations = new ArrayList<>();
    public List<ScaleEvent> scaleEvents = new ArrayList<>();
    public List<PodCounterState> pods = new ArrayList<>();
    public Long burstSince;
    public Long lastBurstAt;
    public Long startupMillis;
    /**
     * How much colder than the fleet's its own cache is when a new pod starts serving, 0 (as warm: it loaded its hot
     * keys before ready) to 1 (empty): a moving average over the pods seen newly ready; null until one was measured.
     */
    public Double newPodColdness;
    /** The fleet's healthy mean response time, in seconds, for telling saturated pods apart. */
    public Double healthyResponseSeconds;
    /**
     * What one warm pod was measured to carry, in requests per second: what saturated pods served (a moving average),
     * raised by what healthy pods carried; null until a pod saturated.
     */
    public Double podCapacity;
    /** When replicas were last raised by an applied decision: no scale-down within the down window after it. */
    public Long lastScaleUpAt;

    public Long lastTick;

    /** The fleet at one tick: its {@link RequestRate}'s two figures, and the counters' deltas the windows sum. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RateSample {
        public long t;
        public double low;
        public double high;
        public Double hits;
        public Double misses;
        public Double durationSum;
        public Double durationCount;
        public Double sharedHits;
        public Double sharedMisses;

        public RateSample() {}

        RateSample(long t, RequestRate rate, Double hits, Double misses, Double durationSum, Double durationCount) {
            this.t = t;
            this.low = rate.low();
            this.high = rate.high();
            this.hits = hits;
            this.misses = misses;
            this.durationSum = durationSum;
            this.durationCount = durationCount;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Recommendation {
        public long t;
        public int replicas;

        public Recommendation() {}

        Recommendation(long t, int replicas) {
            this.t = t;
            this.replicas = replicas;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleEvent {
        public long t;
        public int from;
        public int to;

        public ScaleEvent() {}

        ScaleEvent(long t, int from, int to) {
            this.t = t;
            this.from = from;
            this.to = to;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PodCounterState {
        public String name;
        public long t;
        public double requests;
        public Double hits;
        public Double misses;
        public Double durationSum;
        public Double durationCount;
        public Double sharedHits;
        public Double sharedMisses;
        /** Its mean response time over the last tick, in seconds, when it had one: a growing queue shows in it. */
        public Double responseSeconds;
        /** Its request rate over the last tick, once two scrapes gave one. */
        public Double rate;
        /** How fast its response time grew over the last tick, in seconds per second. */
        public Double responseGrowth;
        /** True when it was saturated on the last tick it was measured. */
        public Boolean saturated;
        /** Its process's CPU seconds, when it exports them. */
        public Double cpuSeconds;
        /** The share of its CPU limit it used over the last tick, when both are known. */
        public Double cpuShare;
        /** Its count of requests as it read them, when it exports one. */
        public Double arrivals;
        /** The requests waiting unread on its connections at the scrape, when it exports the gauge. */
        public Double unread;

        public PodCounterState() {}

        PodCounterState(String name, long t, PodCounters c) {
            this.name = name;
            this.t = t;
            this.requests = c.requests();
            this.hits = finiteOrNull(c.cacheHits());
            this.misses = finiteOrNull(c.cacheMisses());
            this.durationSum = finiteOrNull(c.durationSum());
            this.durationCount = finiteOrNull(c.durationCount());
            this.sharedHits = finiteOrNull(c.sharedHits());
            this.sharedMisses = finiteOrNull(c.sharedMisses());
            this.cpuSeconds = finiteOrNull(c.cpuSeconds());
            this.arrivals = finiteOrNull(c.arrivals());
            this.unread = finiteOrNull(c.unread());
        }

        static Double finiteOrNull(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }
}
