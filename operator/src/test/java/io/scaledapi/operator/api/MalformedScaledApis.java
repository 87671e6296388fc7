package io.scaledapi.operator.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.TestResources;
import java.util.List;

/** ScaledApis the API server must refuse, each with the field its refusal names: for the CRD test and dev/faults. */
public final class MalformedScaledApis {

    /** One malformation: a replacement in the minimal resource's YAML, and the field that makes it invalid. */
    public record Case(String name, String from, String to, String field) {

        /** The minimal resource with this malformation, named {@code resourceName}. */
        public String yaml(String resourceName) {
            String minimal = TestResources.MINIMAL_YAML.formatted(resourceName);
            String yaml = minimal.replace(from, to);
            if (yaml.equals(minimal)) {
                throw new IllegalStateException("the replacement of case '" + name + "' did not apply");
            }
            return yaml;
        }

        /** Sends it as kubectl does: untyped, so that a value the Java model cannot hold still reaches the server. */
        public GenericKubernetesResource create(KubernetesClient client, String namespace, String resourceName) {
            return client.genericKubernetesResources(ScaledApi.GROUP + "/" + ScaledApi.VERSION, "ScaledApi")
                    .inNamespace(namespace)
                    .resource(Serialization.unmarshal(yaml(resourceName), GenericKubernetesResource.class))
                    .create();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    public static final List<Case> CASES = List.of(
            new Case("min over max", "min: 1", "min: 11", "spec.replicas.min"),
            new Case("min zero", "min: 1", "min: 0", "spec.replicas.min"),
            new Case("max over 1000", "max: 10", "max: 1001", "spec.replicas.max"),
            new Case("negative ttl", "ttl: 60s", "ttl: -5s", "spec.cache.ttl"),
            new Case("garbage ttl", "ttl: 60s", "ttl: soon", "spec.cache.ttl"),
            new Case("zero ttl", "ttl: 60s", "ttl: 0s", "spec.cache.ttl"),
            new Case("missing image", "image: scaledapi/sample-api:0.1.0", "port: 8080", "spec.image"),
            new Case("empty image", "image: scaledapi/sample-api:0.1.0", "image: \"\"", "spec.image"),
            new Case("port 70000", "image: scaledapi/sample-api:0.1.0", "image: x\n  port: 70000", "spec.port"),
            new Case(
                    "zero target",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 0",
                    "spec.scaling.targetRequestsPerSecond"),
            new Case(
                    "unknown scaling mode",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    mode: Advise",
                    "spec.scaling.mode"),
            new Case(
                    "unknown update mode",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    updateMode: Advise",
                    "spec.scaling.updateMode"),
            new Case("no target at all", "targetRequestsPerSecond: 400", "interval: 2s", "spec.scaling"),
            new Case(
                    "percentile 100",
                    "targetRequestsPerSecond: 400",
                    "latencyTarget: {percentile: 100, threshold: 50ms}",
                    "spec.scaling.latencyTarget.percentile"),
            new Case(
                    "percentile 0",
                    "targetRequestsPerSecond: 400",
                    "latencyTarget: {percentile: 0, threshold: 50ms}",
                    "spec.scaling.latencyTarget.percentile"),
            new Case(
                    "interval too short",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    interval: 10ms",
                    "spec.scaling.interval"),
            new Case(
                    "burst window zero",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    burst: {window: 0s}",
                    "spec.scaling.burst.window"),
            new Case(
                    "burst and its deprecated name panic",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    burst: {window: 4s}\n    panic: {window: 8s}",
                    "spec.scaling"),
            new Case("max entries zero", "ttl: 60s", "ttl: 60s\n    maxEntries: 0", "spec.cache.maxEntries"),
            new Case(
                    "metrics path not absolute",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n  metrics:\n    path: metrics",
                    "spec.metrics.path"),
            new Case(
                    "metrics port 0",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n  metrics:\n    port: 0",
                    "spec.metrics.port"),
            new Case(
                    "metrics path with ..",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n  metrics:\n    path: /actuator/../env",
                    "spec.metrics.path"),
            new Case(
                    "stabilization window over an hour",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    scaleDown: {stabilizationWindow: 61m}",
                    "spec.scaling.scaleDown.stabilizationWindow"),
            new Case(
                    "period over 30 minutes",
                    "targetRequestsPerSecond: 400",
                    "targetRequestsPerSecond: 400\n    scaleUp: {period: 31m}",
                    "spec.scaling.scaleUp.period"),
            new Case(
                    "name too long for its Services",
                    "metadata:\n  name: ",
                    "metadata:\n  name: " + "n".repeat(ScaledApi.MAX_NAME_LENGTH),
                    "metadata.name"),
            new Case("name not a DNS label", "metadata:\n  name: ", "metadata:\n  name: 1", "metadata.name"),
            new Case("missing cache", "cache:\n    ttl: 60s", "paused: false", "spec.cache"),
            new Case(
                    "shared cache both kinds",
                    "ttl: 60s",
                    "ttl: 60s\n    shared: {redis: {url: \"redis://r:6379\"}, managed: {maxMemory: 64Mi}}",
                    "spec.cache.shared"),
            new Case("shared cache neither kind", "ttl: 60s", "ttl: 60s\n    shared: {}", "spec.cache.shared"),
            new Case(
                    "redis url not redis",
                    "ttl: 60s",
                    "ttl: 60s\n    shared: {redis: {url: \"http://r:6379\"}}",
                    "spec.cache.shared.redis.url"),
            new Case(
                    "redis url both written and from a Secret",
                    "ttl: 60s",
                    "ttl: 60s\n    shared: {redis: {url: \"redis://r:6379\", urlFrom: {secretKeyRef: {name: s, key: url}}}}",
                    "spec.cache.shared.redis"),
            new Case(
                    "redis password from a Secret without a key",
                    "ttl: 60s",
                    "ttl: 60s\n    shared: {redis: {url: \"redis://r:6379\", passwordFrom: {secretKeyRef: {name: s}}}}",
                    "spec.cache.shared.redis.passwordFrom.secretKeyRef.key"),
            new Case(
                    "max memory not a size",
                    "ttl: 60s",
                    "ttl: 60s\n    shared: {managed: {maxMemory: lots}}",
                    "spec.cache.shared.managed.maxMemory"),
            new Case(
                    "warm keys without a shared tier",
                    "ttl: 60s",
                    "ttl: 60s\n    warmKeys: 100",
                    "spec.cache.warmKeys"));

    private MalformedScaledApis() {}
}
