package io.scaledapi.autoscaler;

/** What cut a decision short of what the load asked for; the names are the ScalingLimited condition's reasons. */
public enum Limit {
    AtMinimum,
    AtMaximum,
    RateLimited,
    LatencyTargetUnreachable
}
