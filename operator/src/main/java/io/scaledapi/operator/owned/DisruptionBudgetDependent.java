package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.scaledapi.operator.api.ScaledApi;

/**
 * A PodDisruptionBudget keeping all but one pod up during voluntary disruptions, when {@code replicas.min >= 2}
 * (with one replica it would block node drains). Deleted again when min drops below 2.
 */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.API_SELECTOR))
public class DisruptionBudgetDependent extends OwnedDependent<PodDisruptionBudget> {

    public DisruptionBudgetDependent() {
        super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(ScaledApi api, Context<ScaledApi> context) {
        return new PodDisruptionBudgetBuilder()
                .withMetadata(OwnedObjects.metadata(api))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(OwnedObjects.selector(api))
                .endSelector()
                .endSpec()
                .build();
    }

    /** The workflow's precondition: the budget exists only while min is at least 2. */
    public static class WhenMinAtLeastTwo implements Condition<PodDisruptionBudget, ScaledApi> {
        @Override
        public boolean isMet(
                DependentResource<PodDisruptionBudget, ScaledApi> dependent,
                ScaledApi api,
                Context<ScaledApi> context) {
            return wanted(api);
        }
    }

    /** Whether this spec has a budget: min is at least 2. */
    static boolean wanted(ScaledApi api) {
        return api.getSpec().replicas.min >= 2;
    }
}
