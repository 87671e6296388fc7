package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.scaledapi.autoscaler.Durations;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API's Deployment. Applied server-side under the operator's field manager, so fields others set (a user's
 * label, an HPA-free {@code kubectl scale}) are left alone while every field set here is put back if changed.
 * Replicas start at {@code replicas.min}, then follow the autoscaler's decision (or, while it has none or the
 * resource is paused, keep their current value), always within the bounds. In Recommend mode the field is left out
 * once the Deployment exists, so that whoever scales it (an HPA, {@code kubectl scale}) owns it alone
 * (the reconciler's {@code ReplicasHandover}).
 */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.API_SELECTOR))
public class DeploymentDependent extends OwnedDependent<Deployment> {

    /** Variables the operator sets from the spec; a user's env entry with one of these names is dropped. */
    public static final Set<String> MANAGED_ENV = Set.of(
            "CACHE_TTL",
            "CACHE_MAX_ENTRIES",
            "SERVER_PORT",
            "MANAGEMENT_SERVER_PORT",
            SharedCacheObjects.REDIS_URL,
            SharedCacheObjects.REDIS_PASSWORD,
            "REDIS_KEY_PREFIX",
            "CACHE_WARM_KEYS");

    /** Secrets a user may pass by reference in spec.env: such an entry replaces the operator's of that name. */
    static final Set<String> SECRET_ENV = Set.of(SharedCacheObjects.REDIS_URL, SharedCacheObjects.REDIS_PASSWORD);

    /** Whether a user's spec.env entry is left out (and told as an EnvIgnored event). */
    public static boolean ignored(EnvVar entry) {
        return MANAGED_ENV.contains(entry.getName()) && !fromSecret(entry);
    }

    private static boolean fromSecret(EnvVar entry) {
        return SECRET_ENV.contains(entry.getName())
                && entry.getValueFrom() != null
                && entry.getValueFrom().getSecretKeyRef() != null;
    }

    static final ResourceRequirements DEFAULT_RESOURCES = new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("250m"))
            .addToRequests("memory", new Quantity("384Mi"))
            .addToLimits("cpu", new Quantity("1"))
            .addToLimits("memory", new Quantity("512Mi"))
            .build();

    public DeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(ScaledApi api, Context<ScaledApi> context) {
        ScaledApiSpec spec = api.getSpec();
        int port = spec.apiPort();
        Integer current = DesiredReplicas.of(context)
                .or(() ->
                        getSecondaryResource(api, context).map(d -> d.getSpec().getReplicas()))
                .orElse(null);
        boolean leaveReplicas =
                spec.recommendOnly() && getSecondaryResource(api, context).isPresent();
        ResourceRequirements steady = steadyResources(spec);
        boolean boost = StartupBoost.allowed(context)
                && StartupBoost.whyNot(steady, spec.cpuBoostPercent()).isEmpty();
        Map<String, String> boostAnnotation = boost
                ? Map.of(
                        StartupBoost.STEADY_CPU_LIMIT,
                        steady.getLimits().get("cpu").toString())
                : Map.of();
        return new DeploymentBuilder()
                .withMetadata(OwnedObjects.metadata(api))
                .withNewSpec()
                .withReplicas(leaveReplicas ? null : replicas(spec.replicas, current))
                .withNewSelector()
                .withMatchLabels(OwnedObjects.selector(api))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(OwnedObjects.labels(api))
                .addToAnnotations("prometheus.io/scrape", "true")
                .addToAnnotations("prometheus.io/port", Integer.toString(spec.metricsPort()))
                .addToAnnotations("prometheus.io/path", spec.metricsPath())
                .addToAnnotations(boostAnnotation)
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .withContainers(
                        container(api, port, boost ? StartupBoost.boosted(steady, spec.cpuBoostPercent()) : steady))
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** The bounds, with the current count kept when it lies inside them (the autoscaler's or a user's choice). */
    public static int replicas(ScaledApiSpec.Replicas bounds, Integer current) {
        if (current == null) {
            return bounds.min;
        }
        return Math.max(bounds.min, Math.min(bounds.max, current));
    }

    /**
     * The startup budget: a probe every second, 120 failures in a row (120 s) before the container is restarted. Every
     * second because a new pod counts from the decision that added it: with 2 s here and the readiness probe's 5 s, a
     * pod the app had reported ready was seen Ready about 3 s later (bench/scale-up.sh), a quarter of its start-up.
     */
    static final int STARTUP_PERIOD_SECONDS = 1;

    static final int STARTUP_FAILURE_THRESHOLD = 120;

    /** The readiness probe's period: how soon a started pod is Ready, and an unready one (origin down) taken out. */
    static final int READINESS_PERIOD_SECONDS = 2;

    /** Within the default 30 s grace period together with sample-api's 20 s graceful shutdown. */
    public static final long PRE_STOP_SECONDS = 5;

    /** The API container's resources once started: the spec's, or the defaults. */
    public static ResourceRequirements steadyResources(ScaledApiSpec spec) {
        return spec.resources != null ? spec.resources : DEFAULT_RESOURCES;
    }

    private static Container container(ScaledApi api, int port, ResourceRequirements resources) {
        ScaledApiSpec spec = api.getSpec();
        ContainerBuilder container = new ContainerBuilder()
                .withName(OwnedObjects.API_CONTAINER)
                .withImage(spec.image)
                .addNewPort()
                .withName(OwnedObjects.PORT_NAME)
                .withContainerPort(port)
                .withProtocol("TCP")
                .endPort();
        if (spec.metricsPort() != port) {
            container
                    .addNewPort()
                    .withName(OwnedObjects.METRICS_PORT_NAME)
                    .withContainerPort(spec.metricsPort())
                    .withProtocol("TCP")
                    .endPort();
        }
        // Probes go where the metrics are: apart from the API's connections, an overloaded pod still answers its
        // liveness probe, so it is not restarted for being busy (which would lose its queue and its warm cache).
        String probePort = spec.metricsPort() != port ? OwnedObjects.METRICS_PORT_NAME : OwnedObjects.PORT_NAME;
        return container
                .withEnv(env(api, port))
                .withResources(resources)
                // A JVM starting under a CPU limit on a busy node can take a minute or more; liveness judges only
                // once the startup probe has passed, so a slow start is not taken for a hung process.
                .withStartupProbe(
                        new ProbeBuilder(probe("/actuator/health/readiness", probePort, STARTUP_FAILURE_THRESHOLD))
                                .withPeriodSeconds(STARTUP_PERIOD_SECONDS)
                                .build())
                .withLivenessProbe(probe("/actuator/health/liveness", probePort, 3))
                .withReadinessProbe(new ProbeBuilder(probe("/actuator/health/readiness", probePort, 1))
                        .withPeriodSeconds(READINESS_PERIOD_SECONDS)
                        .build())
                // Endpoints and the load balancers behind them learn that a pod is terminating a moment after it
                // is; until SIGTERM the pod keeps serving what still reaches it, so a scale-down drops no request.
                .withNewLifecycle()
                .withNewPreStop()
                .withNewSleep()
                .withSeconds(PRE_STOP_SECONDS)
                .endSleep()
                .endPreStop()
                .endLifecycle()
                .withSecurityContext(OwnedObjects.restrictedContainer())
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .build();
    }

    static List<EnvVar> env(ScaledApi api, int port) {
        ScaledApiSpec spec = api.getSpec();
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("CACHE_TTL", Durations.forSpring(Durations.parse(spec.cache.ttl)), null));
        env.add(new EnvVar("CACHE_MAX_ENTRIES", Long.toString(spec.maxEntries()), null));
        env.add(new EnvVar("SERVER_PORT", Integer.toString(port), null));
        env.add(new EnvVar("MANAGEMENT_SERVER_PORT", Integer.toString(spec.metricsPort()), null));
        List<EnvVar> redis = SharedCacheObjects.redisEnv(api);
        if (!redis.isEmpty()) {
            // A user's own secretKeyRef for one of them wins.
            List<EnvVar> users = spec.env == null
                    ? List.of()
                    : spec.env.stream().filter(DeploymentDependent::fromSecret).toList();
            redis.stream()
                    .filter(e -> users.stream().noneMatch(u -> u.getName().equals(e.getName())))
                    .forEach(env::add);
            env.addAll(users);
            // One Redis may serve several APIs: each keeps to its own keys.
            env.add(new EnvVar(
                    "REDIS_KEY_PREFIX",
                    api.getMetadata().getNamespace() + "/" + api.getMetadata().getName() + ":",
                    null));
            env.add(new EnvVar(
                    "CACHE_WARM_KEYS", Integer.toString(spec.cache.warmKeys == null ? 0 : spec.cache.warmKeys), null));
        }
        if (spec.env != null) {
            spec.env.stream().filter(e -> !MANAGED_ENV.contains(e.getName())).forEach(env::add);
            if (redis.isEmpty()) {
                spec.env.stream().filter(DeploymentDependent::fromSecret).forEach(env::add);
            }
        }
        return env;
    }

    private static Probe probe(String path, String port, int failureThreshold) {
        return new ProbeBuilder()
                .withNewHttpGet()
                .withPath(path)
                .withPort(new IntOrString(port))
                .endHttpGet()
                .withPeriodSeconds(5)
                .withTimeoutSeconds(2)
                .withFailureThreshold(failureThreshold)
                .build();
    }
}
