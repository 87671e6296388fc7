package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.scaledapi.operator.api.ScaledApi;

/** An object of the managed shared cache: named NAME-redis, and present only while the spec asks for one. */
public abstract class SharedCacheDependent<R extends HasMetadata> extends OwnedDependent<R> {

    SharedCacheDependent(Class<R> type) {
        super(type);
    }

    @Override
    protected ResourceID targetSecondaryResourceID(ScaledApi api, Context<ScaledApi> context) {
        return new ResourceID(SharedCacheObjects.name(api), api.getMetadata().getNamespace());
    }

    /** The workflow's precondition: the object exists only while {@code cache.shared.managed} is set. */
    public static class WhenManaged implements Condition<HasMetadata, ScaledApi> {
        @Override
        public boolean isMet(
                DependentResource<HasMetadata, ScaledApi> dependent, ScaledApi api, Context<ScaledApi> context) {
            return SharedCacheObjects.managed(api);
        }
    }
}
