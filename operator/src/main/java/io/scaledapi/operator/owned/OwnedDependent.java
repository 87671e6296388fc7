package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.status.EventRecorder;

/** An object a ScaledApi owns; its creation is told to the user as an event on the ScaledApi. */
public abstract class OwnedDependent<R extends HasMetadata> extends CRUDKubernetesDependentResource<R, ScaledApi> {

    OwnedDependent(Class<R> type) {
        super(type);
    }

    /** Owned objects share the ScaledApi's name; the default would compute the whole desired object to learn it. */
    @Override
    protected ResourceID targetSecondaryResourceID(ScaledApi api, Context<ScaledApi> context) {
        return new ResourceID(api.getMetadata().getName(), api.getMetadata().getNamespace());
    }

    /**
     * The owner reference JOSDK adds, marked as Kubernetes controllers mark theirs: the ScaledApi is the one
     * controller of the object, and foreground deletion of the ScaledApi waits for it.
     */
    @Override
    protected void addReferenceHandlingMetadata(R desired, ScaledApi api) {
        super.addReferenceHandlingMetadata(desired, api);
        desired.getMetadata().getOwnerReferences().stream()
                .filter(o -> o.getUid().equals(api.getMetadata().getUid()))
                .forEach(o -> {
                    o.setController(true);
                    o.setBlockOwnerDeletion(true);
                });
    }

    @Override
    public R create(R desired, ScaledApi api, Context<ScaledApi> context) {
        R created = super.create(desired, api, context);
        new EventRecorder(context.getClient())
                .record(
                        api,
                        EventRecorder.NORMAL,
                        "Created",
                        "created " + desired.getKind() + " "
                                + desired.getMetadata().getName());
        return created;
    }
}
