package io.scaledapi.operator.simulation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.api.Durations;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.autoscaling.ScalingPolicy;
import io.scaledapi.operator.reconcile.ScalingPolicies;

/**
 * A ScaledApi manifest, as a user has it, for the simulator: its {@code spec.scaling} and replicas become our
 * policy exactly as the operator builds it, and its cache TTL the simulated pods' TTL. The fleet model itself (how
 * fast a pod serves) stays in the simulator's configuration.
 */
record ScaledApiManifest(ScaledApi resource) {

    static ScaledApiManifest read(Path file) throws IOException {
        ScaledApi api;
        try {
            api = Serialization.unmarshal(Files.readString(file), ScaledApi.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + ": not a ScaledApi manifest: " + e.getMessage(), e);
        }
        if (api == null || api.getSpec() == null || api.getSpec().replicas == null || api.getSpec().scaling == null) {
            throw new IllegalArgumentException(file + ": a ScaledApi needs spec.replicas and spec.scaling");
        }
        return new ScaledApiManifest(api);
    }

    ScalingPolicy policy() {
        return ScalingPolicies.from(resource.getSpec());
    }

    /** The manifest's bounds and cache TTL over the configuration's, for every policy on the same fleet. */
    void applyTo(SimulationConfig cfg) {
        var spec = resource.getSpec();
        cfg.scaledapi.minReplicas = spec.replicas.min;
        cfg.scaledapi.maxReplicas = spec.replicas.max;
        if (spec.scaling.targetRequestsPerSecond != null) {
            cfg.scaledapi.targetRequestsPerSecond = spec.scaling.targetRequestsPerSecond;
        }
        if (spec.cache != null && spec.cache.ttl != null) {
            cfg.fleet.cacheTtlSeconds = Durations.parse(spec.cache.ttl).toMillis() / 1000.0;
        }
    }
}
