package io.scaledapi.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and decided. Written whole, when what a user reads in it changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScaledApiStatus {

    @JsonPropertyDescription("The spec generation this status describes.")
    public Long observedGeneration;

    public Integer replicas;
    public Integer readyReplicas;

    @JsonPropertyDescription("What the autoscaler asks for.")
    public Integer desiredReplicas;

    @JsonPropertyDescription("Observed total requests per second.")
    public RequestRate requestRate;

    @JsonPropertyDescription("Fleet-wide cache hit ratio over the stable window, 0 to 1.")
    public Double cacheHitRatio;

    @JsonPropertyDescription("The hit ratio in whole percent, for kubectl get.")
    public Integer cacheHitPercent;

    @JsonPropertyDescription("Hit ratio of the shared tier (Redis) over the stable window, 0 to 1: of the pods' local "
            + "misses, the share it answered. Absent without cache.shared.")
    public Double sharedCacheHitRatio;

    @JsonPropertyDescription("The shared tier's hit ratio in whole percent, for kubectl get.")
    public Integer sharedCacheHitPercent;

    @JsonPropertyDescription("What one pod was measured to carry, against what the spec assumes. Measured on pods that "
            + "saturated (their queues grew): when it is below scaling.targetRequestsPerSecond, the pods are weaker than the "
            + "target assumes, and replicas are planned at 60 % / 1.1 (the tolerance) of what was measured instead.")
    public PodCapacity podCapacity;

    @JsonPropertyDescription("Stable, Burst or Paused.")
    public String mode;

    public String lastScaleTime;
    public String lastDecision;

    @JsonPropertyDescription(
            "The last few decisions that changed replicas, or in Recommend mode the recommendation, " + "oldest first.")
    public List<ScaleDecision> recentDecisions;

    public List<Condition> conditions = new ArrayList<>();

    /** One decision that changed replicas (applied) or the recommendation (not applied). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScaleDecision {
        public String time;
        public Integer from;
        public Integer to;

        @JsonPropertyDescription("False in Recommend mode: reported, not applied.")
        public Boolean applied;

        public String reason;

        public ScaleDecision() {}

        public ScaleDecision(String time, int from, int to, boolean applied, String reason) {
            this.time = time;
            this.from = from;
            this.to = to;
            this.applied = applied;
            this.reason = reason;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class PodCapacity {
        @JsonPropertyDescription("Requests per second one warm pod served when saturated (a moving average).")
        public Double measuredRequestsPerSecond;

        @JsonPropertyDescription("scaling.targetRequestsPerSecond, as given.")
        public Double targetRequestsPerSecond;

        @JsonPropertyDescription(
                "What each pod is planned to carry: the target, or 60 % / 1.1 (the tolerance) of the measured capacity when"
                        + " that is less, so that a held fleet runs at most 60 % of what its pods carry.")
        public Double plannedRequestsPerSecond;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class RequestRate {
        @JsonPropertyDescription("Over the stable window.")
        public Double stable;

        @JsonPropertyDescription("Over the burst window.")
        public Double burst;
    }
}
