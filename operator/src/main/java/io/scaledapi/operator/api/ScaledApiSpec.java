package io.scaledapi.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.scaledapi.autoscaler.Durations;
import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.autoscaler.ScalingSettings;
import java.util.List;

/** What the user asks for. Every rule the API server can check is in the schema (annotations here). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ScaledApiSpec {

    /** The defaults a field takes when unset: the CRD's defaults, for objects the API server did not default. */
    public static final int DEFAULT_PORT = 8080;

    public static final int DEFAULT_METRICS_PORT = 8081;
    public static final String DEFAULT_METRICS_PATH = "/actuator/prometheus";
    public static final String DEFAULT_REQUEST_COUNTER = "http_server_requests_seconds_count";
    public static final long DEFAULT_MAX_ENTRIES = 10000;
    /** A new pod's CPU limit while it starts, as a percentage added to its limit: 200m starts at 400m. */
    public static final int DEFAULT_CPU_BOOST_PERCENT = 100;

    @Required
    @Size(min = 1, max = 512)
    @JsonPropertyDescription("Container image of the API, e.g. scaledapi/sample-api:0.1.0.")
    public String image;

    @Default("" + DEFAULT_PORT)
    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Container port the API listens on.")
    public Integer port;

    @JsonPropertyDescription("Extra environment variables for the API container.")
    public List<EnvVar> env;

    @JsonPropertyDescription("Compute resources of each API container; a small request and limit when unset.")
    public ResourceRequirements resources;

    @Required
    @JsonPropertyDescription("The response cache in each pod.")
    public Cache cache;

    @Required
    @JsonPropertyDescription("Bounds for the autoscaler.")
    public Replicas replicas;

    @Required
    @JsonPropertyDescription("How the autoscaler sizes the fleet.")
    public Scaling scaling;

    @JsonPropertyDescription("Where and what to scrape on each pod.")
    public Metrics metrics;

    @Default("false")
    @JsonPropertyDescription("Keep replicas as they are; metrics are still reported.")
    public Boolean paused;

    @JsonPropertyDescription("How each new pod starts.")
    public Startup startup;

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Startup {
        @Default("" + DEFAULT_CPU_BOOST_PERCENT)
        @Min(0)
        @Max(1000)
        @JsonPropertyDescription(
                "Percent added to the API container's CPU limit while a pod starts (0: none). Once the "
                        + "pod is ready, the operator resizes it in place (pods/resize) to spec.resources; a restarted container "
                        + "is boosted again. Only for pods whose resources make them Burstable (a CPU or memory request below "
                        + "its limit), since a resize may not change a pod's QoS class; the CPU request, and so scheduling, "
                        + "stays as it is.")
        public Integer cpuBoostPercent;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "!has(self.warmKeys) || self.warmKeys == 0 || has(self.shared)",
            message = "cache.warmKeys needs cache.shared: new pods load their hot keys from the shared tier",
            fieldPath = ".warmKeys",
            reason = "FieldValueInvalid")
    public static class Cache {
        @Required
        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(value = "duration(self) > duration('0s')", message = "cache.ttl must be greater than zero")
        @JsonPropertyDescription(
                "How long a cached response stays fresh (Go duration: 30s, 5m, 1m30s). Handed to pods as CACHE_TTL.")
        public String ttl;

        @Default("" + DEFAULT_MAX_ENTRIES)
        @Min(1)
        @Max(100000000)
        @JsonPropertyDescription("Bound on cached entries per pod. Handed to pods as CACHE_MAX_ENTRIES.")
        public Long maxEntries;

        @JsonPropertyDescription("A shared tier (Redis) behind each pod's cache: a user's Redis (redis.url) or one the "
                + "operator runs (managed). Pods get it as REDIS_URL.")
        public SharedCache shared;

        @Default("0")
        @Min(0)
        @Max(100000)
        @JsonPropertyDescription(
                "Hottest keys a new pod loads from the shared tier before it reports ready (CACHE_WARM_KEYS); "
                        + "needs cache.shared.")
        public Integer warmKeys;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "has(self.redis) != has(self.managed)",
            message = "cache.shared needs exactly one of redis (a Redis you run) or managed (one the operator runs)",
            reason = "FieldValueInvalid")
    public static class SharedCache {
        @JsonPropertyDescription("A Redis you run.")
        public UserRedis redis;

        @JsonPropertyDescription("A Redis the operator runs for this API: a Deployment and Service named NAME-redis, "
                + "no persistence, least-recently-used eviction at maxMemory, deleted with the ScaledApi.")
        public ManagedRedis managed;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "has(self.url) != has(self.urlFrom)",
            message = "cache.shared.redis needs exactly one of url and urlFrom",
            reason = "FieldValueInvalid")
    public static class UserRedis {
        @Size(min = 1, max = 1024)
        @Pattern("^rediss?://.+")
        @JsonPropertyDescription("redis://host:port[/database] or rediss:// for TLS. Written into the pods' "
                + "environment as it is: a URL with a password belongs in a Secret (urlFrom).")
        public String url;

        @JsonPropertyDescription("The URL from a key of a Secret in the ScaledApi's namespace: the pods read it "
                + "through secretKeyRef, and the operator never reads it.")
        public SecretSource urlFrom;

        @JsonPropertyDescription("Redis's password from a key of a Secret in the ScaledApi's namespace "
                + "(REDIS_PASSWORD, through secretKeyRef).")
        public SecretSource passwordFrom;
    }

    /** A value a pod reads from a Secret, as an env entry's valueFrom says it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretSource {
        @Required
        @JsonPropertyDescription("The Secret and its key.")
        public SecretKeyRef secretKeyRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class SecretKeyRef {
        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("Name of the Secret, in the ScaledApi's namespace.")
        public String name;

        @Required
        @Size(min = 1, max = 253)
        @Pattern("^[-._a-zA-Z0-9]+$")
        @JsonPropertyDescription("Key in the Secret.")
        public String key;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ManagedRedis {
        @Default("256Mi")
        @Pattern("^[0-9]+(Ki|Mi|Gi)$")
        @JsonPropertyDescription("Redis maxmemory, e.g. 256Mi; past it the least recently used keys are evicted.")
        public String maxMemory;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "self.min <= self.max",
            message = "replicas.min must be less than or equal to replicas.max",
            fieldPath = ".min",
            reason = "FieldValueInvalid")
    public static class Replicas {
        @Required
        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Fewest replicas.")
        public Integer min;

        @Required
        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Most replicas.")
        public Integer max;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(
            value = "has(self.targetRequestsPerSecond) || has(self.latencyTarget)",
            message = "scaling needs targetRequestsPerSecond or latencyTarget",
            reason = "FieldValueRequired")
    @ValidationRule(
            value = "!(has(self.burst) && has(self.panic))",
            message = "set scaling.burst, or its deprecated name scaling.panic, not both",
            reason = "FieldValueForbidden")
    public static class Scaling {
        @Min(value = 0, inclusive = false)
        @Max(1000000)
        @JsonPropertyDescription("Request rate one replica should carry at steady state.")
        public Double targetRequestsPerSecond;

        @JsonPropertyDescription("Size the fleet so that this percentile of response time stays under the threshold.")
        public LatencyTarget latencyTarget;

        @Default(ScalingPolicy.DEFAULT_INTERVAL)
        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(
                value = "duration(self) >= duration('500ms') && duration(self) <= duration('5m')",
                message = "scaling.interval must be between 500ms and 5m")
        @JsonPropertyDescription("Scrape and decision period.")
        public String interval;

        @JsonPropertyDescription("Scale-up behaviour; default: " + ScalingPolicy.DEFAULT_SCALE_UP + ".")
        public ScalingRules scaleUp;

        @JsonPropertyDescription("Scale-down behaviour; default: " + ScalingPolicy.DEFAULT_SCALE_DOWN + ".")
        public ScalingRules scaleDown;

        @JsonPropertyDescription("Burst mode: a short window that scales up at once when load jumps.")
        public Burst burst;

        @JsonPropertyDescription("Deprecated: the old name of burst, still read when burst is not set.")
        public Burst panic;

        // No default: the deprecated mode is read when this is unset, and a default would hide it.
        @JsonPropertyDescription(
                "Auto (when unset) applies the autoscaler's decisions to the Deployment; Recommend only reports them "
                        + "(status.desiredReplicas, events, metrics) and leaves replicas to whoever sets them today, "
                        + "such as an HPA. Named after the VerticalPodAutoscaler's updateMode.")
        public UpdateMode updateMode;

        @JsonPropertyDescription("Deprecated: the old name of updateMode, still read when updateMode is not set.")
        public UpdateMode mode;
    }

    /** Whether the autoscaler's decisions are applied or only reported. */
    public enum UpdateMode {
        Auto,
        Recommend
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class LatencyTarget {
        @Required
        @Min(value = 0, inclusive = false)
        @Max(value = 100, inclusive = false)
        @JsonPropertyDescription("Percentile of response time, in (0, 100), e.g. 95.")
        public Double percentile;

        @Required
        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(
                value = "duration(self) > duration('0s')",
                message = "latencyTarget.threshold must be greater than zero")
        @JsonPropertyDescription("Response time that percentile must stay under, e.g. 50ms.")
        public String threshold;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class ScalingRules {
        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(
                value = "duration(self) <= duration('" + ScalingSettings.MAX_STABILIZATION_WINDOW + "')",
                message = "stabilizationWindow must be at most " + ScalingSettings.MAX_STABILIZATION_WINDOW)
        @JsonPropertyDescription("The highest (down) or lowest (up) recommendation over this window is used; at most "
                + ScalingSettings.MAX_STABILIZATION_WINDOW + ".")
        public String stabilizationWindow;

        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Most pods added or removed per period.")
        public Integer maxPods;

        @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Most percent of the current replicas added or removed per period.")
        public Integer maxPercent;

        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(value = "duration(self) > duration('0s')", message = "period must be greater than zero")
        @ValidationRule(
                value = "duration(self) <= duration('" + ScalingSettings.MAX_PERIOD + "')",
                message = "period must be at most " + ScalingSettings.MAX_PERIOD)
        @JsonPropertyDescription("The period the limits apply to; at most " + ScalingSettings.MAX_PERIOD + ".")
        public String period;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Burst {
        @Size(max = 32)
        @Pattern(Durations.PATTERN)
        @ValidationRule(value = "duration(self) > duration('0s')", message = "burst.window must be greater than zero")
        @JsonPropertyDescription("Burst window; default " + ScalingPolicy.DEFAULT_BURST_WINDOW + ".")
        public String window;

        @Min(1)
        @Max(100)
        @JsonPropertyDescription(
                "Burst mode starts when the burst recommendation reaches this multiple of ready replicas; default "
                        + ScalingPolicy.DEFAULT_BURST_THRESHOLD + ".")
        public Double threshold;
    }

    /** {@code replicas} and {@code scaling} as the autoscaler's settings: a copy; the defaults live in the autoscaler. */
    public ScalingSettings scalingSettings() {
        Burst burst = scaling.burst != null ? scaling.burst : scaling.panic; // panic: the deprecated name
        return new ScalingSettings(
                replicas.min,
                replicas.max,
                scaling.targetRequestsPerSecond,
                scaling.interval,
                burst == null ? null : new ScalingSettings.Burst(burst.window, burst.threshold),
                rules(scaling.scaleUp),
                rules(scaling.scaleDown),
                scaling.latencyTarget == null
                        ? null
                        : new ScalingSettings.LatencyTarget(
                                scaling.latencyTarget.percentile, scaling.latencyTarget.threshold));
    }

    /** The autoscaler's policy for this spec. */
    public ScalingPolicy scalingPolicy() {
        return scalingSettings().policy();
    }

    /** {@code scaling.updateMode}, or its deprecated name {@code scaling.mode}, or Auto. */
    public UpdateMode effectiveUpdateMode() {
        if (scaling != null && scaling.updateMode != null) {
            return scaling.updateMode;
        }
        return scaling != null && scaling.mode != null ? scaling.mode : UpdateMode.Auto;
    }

    /** Whether decisions are only reported (updateMode Recommend), never applied. */
    public boolean recommendOnly() {
        return effectiveUpdateMode() == UpdateMode.Recommend;
    }

    private static ScalingSettings.ScalingRules rules(ScalingRules given) {
        return given == null
                ? null
                : new ScalingSettings.ScalingRules(
                        given.stabilizationWindow, given.maxPods, given.maxPercent, given.period);
    }

    /** The per-pod cache bound handed to pods as CACHE_MAX_ENTRIES. */
    public long maxEntries() {
        return cache != null && cache.maxEntries != null ? cache.maxEntries : DEFAULT_MAX_ENTRIES;
    }

    /** What a new pod's CPU limit is raised by while it starts, in percent of the limit. */
    public int cpuBoostPercent() {
        return startup != null && startup.cpuBoostPercent != null ? startup.cpuBoostPercent : DEFAULT_CPU_BOOST_PERCENT;
    }

    /** The API's container port. */
    public int apiPort() {
        return port != null ? port : DEFAULT_PORT;
    }

    /** The port of the pods' Prometheus endpoint and health probes. */
    public int metricsPort() {
        return metrics != null && metrics.port != null ? metrics.port : DEFAULT_METRICS_PORT;
    }

    public String metricsPath() {
        return metrics != null && metrics.path != null ? metrics.path : DEFAULT_METRICS_PATH;
    }

    public String requestCounter() {
        return metrics != null && metrics.requestCounter != null ? metrics.requestCounter : DEFAULT_REQUEST_COUNTER;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Metrics {
        @Default("" + DEFAULT_METRICS_PORT)
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription(
                "Container port of the Prometheus endpoint and the health probes: sample-api's management "
                        + "port (MANAGEMENT_SERVER_PORT), served apart from the API's connections so that a scrape or a probe never "
                        + "waits behind the API's backlog. Set it to spec.port for an image that serves them on its API port.")
        public Integer port;

        @Default(DEFAULT_METRICS_PATH)
        @Size(max = 256)
        @Pattern("^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$")
        @ValidationRule(value = "!self.contains('..')", message = "metrics.path must not contain '..'")
        @JsonPropertyDescription("Path of the Prometheus endpoint on each pod's metrics port.")
        public String path;

        @Default(DEFAULT_REQUEST_COUNTER)
        @Size(max = 200)
        @Pattern("^[a-zA-Z_:][a-zA-Z0-9_:]*$")
        @JsonPropertyDescription("The request counter to scale on (summed over its label sets).")
        public String requestCounter;
    }
}
