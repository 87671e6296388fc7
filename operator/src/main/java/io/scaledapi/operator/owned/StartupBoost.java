package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.scaledapi.operator.api.ScaledApi;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Optional;

/**
 * A new pod's CPU limit while it starts: its steady limit raised by {@code spec.startup.cpuBoostPercent}, written
 * into the Deployment's template together with the steady limit as an annotation; once the pod is ready the
 * reconciler resizes it in place to the steady limit (the {@code pods/resize} subresource). A JVM that starts on a
 * fifth of a core spends most of its start waiting for CPU the node may well have idle. Only the limit is raised: the
 * request, and so what the scheduler reserves and the pod's CPU weight beside running pods, stays as it is.
 */
public final class StartupBoost {

    /** The steady CPU limit of a pod created boosted: what a resize returns it to, and what capacity counts. */
    public static final String STEADY_CPU_LIMIT = "scaledapi.io/steady-cpu-limit";

    private StartupBoost() {}

    /**
     * Handed from the reconciler to {@link DeploymentDependent} in the workflow's context, keyed by this type: the
     * cluster refused to resize one of the resource's pods, so its template is rendered unboosted.
     */
    public record ResizeRefused(String why) {}

    public static void refused(Context<ScaledApi> context, String why) {
        context.managedWorkflowAndDependentResourceContext().put(ResizeRefused.class, new ResizeRefused(why));
    }

    static boolean allowed(Context<ScaledApi> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .get(ResizeRefused.class, ResizeRefused.class)
                .isEmpty();
    }

    /** Why {@code steady} cannot be boosted by {@code percent}, or empty when it can. */
    public static Optional<String> whyNot(ResourceRequirements steady, int percent) {
        if (percent <= 0) {
            return Optional.of("spec.startup.cpuBoostPercent is 0");
        }
        if (cpuLimit(steady).isEmpty()) {
            return Optional.of("the API container has no CPU limit to raise");
        }
        if (guaranteed(steady)) {
            return Optional.of("its resources make pods Guaranteed (every request equal to its limit), and a resize"
                    + " back from a raised limit would change the pod's QoS class, which Kubernetes refuses");
        }
        return Optional.empty();
    }

    /** The resources a pod starts with: the steady ones with the CPU limit raised by {@code percent}. */
    static ResourceRequirements boosted(ResourceRequirements steady, int percent) {
        return new ResourceRequirementsBuilder(steady)
                .addToLimits("cpu", millicores(boostedCpuLimit(cpuLimit(steady).orElseThrow(), percent)))
                .build();
    }

    /** A steady CPU limit, in cores, raised by {@code percent} (to a whole millicore, rounded up). */
    public static BigDecimal boostedCpuLimit(BigDecimal steadyCores, int percent) {
        return steadyCores
                .multiply(BigDecimal.valueOf(100L + percent))
                .divide(BigDecimal.valueOf(100), 3, RoundingMode.UP);
    }

    /** Cores as a quantity in millicores, rounded up to a whole one. */
    public static Quantity millicores(BigDecimal cores) {
        return new Quantity(cores.movePointRight(3).setScale(0, RoundingMode.UP).toPlainString() + "m");
    }

    /** The container's CPU limit in cores, if it has one. */
    public static Optional<BigDecimal> cpuLimit(ResourceRequirements resources) {
        return Optional.ofNullable(resources)
                .map(ResourceRequirements::getLimits)
                .map(l -> l.get("cpu"))
                .map(Quantity::getNumericalAmount);
    }

    /**
     * A pod is Guaranteed when its containers have CPU and memory limits and every request equals its limit (a
     * request left out defaults to the limit).
     */
    static boolean guaranteed(ResourceRequirements r) {
        Map<String, Quantity> limits = r.getLimits() == null ? Map.of() : r.getLimits();
        Map<String, Quantity> requests = r.getRequests() == null ? Map.of() : r.getRequests();
        for (String name : new String[] {"cpu", "memory"}) {
            Quantity limit = limits.get(name);
            if (limit == null) {
                return false;
            }
            Quantity request = requests.get(name);
            if (request != null && request.getNumericalAmount().compareTo(limit.getNumericalAmount()) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The steady CPU limit, in cores, of a pod created boosted; empty for a pod created without a boost. */
    public static Optional<BigDecimal> steadyCpuLimit(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String steady = annotations == null ? null : annotations.get(STEADY_CPU_LIMIT);
        if (steady == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Quantity(steady).getNumericalAmount());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The API container of a pod (the one the Deployment's template names {@code api}). */
    public static Optional<Container> apiContainer(Pod pod) {
        return pod.getSpec().getContainers().stream()
                .filter(c -> OwnedObjects.API_CONTAINER.equals(c.getName()))
                .findFirst();
    }
}
