package io.scaledapi.simulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.scaledapi.autoscaler.Durations;
import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.autoscaler.ScalingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A ScaledApi manifest, as a user has it, for the simulator: its {@code spec.replicas} and {@code spec.scaling}
 * become our policy exactly as the operator builds it (the same {@link ScalingSettings}), and its cache TTL the
 * simulated pods' TTL. The fleet model itself (how fast a pod serves) stays in the simulator's configuration.
 */
record ScaledApiManifest(ScalingSettings settings, String cacheTtl) {

    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static ScaledApiManifest read(Path file) throws IOException {
        JsonNode spec;
        try {
            spec = YAML.readTree(Files.readString(file)).path("spec");
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a ScaledApi manifest: " + e.getMessage(), e);
        }
        JsonNode replicas = spec.path("replicas");
        JsonNode scaling = spec.path("scaling");
        if (!replicas.path("min").isInt() || !replicas.path("max").isInt() || !scaling.isObject()) {
            throw new IllegalArgumentException(
                    file
                            + ": a ScaledApi needs spec.replicas and spec.scaling (replicas.min and replicas.max as whole numbers)");
        }
        try {
            ScalingSettings settings = new ScalingSettings(
                    replicas.path("min").asInt(),
                    replicas.path("max").asInt(),
                    scaling.hasNonNull("targetRequestsPerSecond")
                            ? scaling.get("targetRequestsPerSecond").asDouble()
                            : null,
                    scaling.path("interval").textValue(),
                    value(scaling, scaling.has("burst") ? "burst" : "panic", ScalingSettings.Burst.class),
                    value(scaling, "scaleUp", ScalingSettings.ScalingRules.class),
                    value(scaling, "scaleDown", ScalingSettings.ScalingRules.class),
                    value(scaling, "latencyTarget", ScalingSettings.LatencyTarget.class));
            return new ScaledApiManifest(
                    settings, spec.path("cache").path("ttl").textValue());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": spec.scaling: " + e.getMessage(), e);
        }
    }

    private static <T> T value(JsonNode scaling, String field, Class<T> type) throws IOException {
        JsonNode node = scaling.get(field);
        return node == null || node.isNull() ? null : YAML.treeToValue(node, type);
    }

    ScalingPolicy policy() {
        return settings.policy();
    }

    /** The manifest's bounds and cache TTL over the configuration's, for every policy on the same fleet. */
    void applyTo(SimulationConfig cfg) {
        cfg.scaledapi.minReplicas = settings.minReplicas();
        cfg.scaledapi.maxReplicas = settings.maxReplicas();
        if (settings.targetRequestsPerSecond() != null) {
            cfg.scaledapi.targetRequestsPerSecond = settings.targetRequestsPerSecond();
        }
        if (cacheTtl != null) {
            cfg.fleet.cacheTtlSeconds = Durations.parse(cacheTtl).toMillis() / 1000.0;
        }
    }
}
