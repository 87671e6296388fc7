package io.scaledapi.operator.owned;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.scaledapi.operator.api.ScaledApi;
import java.util.Optional;

/**
 * The replicas a reconcile applies, handed from the reconciler to {@link DeploymentDependent} in the workflow's
 * context, keyed by this type: absent, the Deployment keeps the replicas it has.
 */
public record DesiredReplicas(int replicas) {

    public static void set(Context<ScaledApi> context, int replicas) {
        context.managedWorkflowAndDependentResourceContext().put(DesiredReplicas.class, new DesiredReplicas(replicas));
    }

    static Optional<Integer> of(Context<ScaledApi> context) {
        return context.managedWorkflowAndDependentResourceContext()
                .get(DesiredReplicas.class, DesiredReplicas.class)
                .map(DesiredReplicas::replicas);
    }
}
