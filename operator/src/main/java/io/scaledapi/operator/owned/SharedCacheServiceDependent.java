package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.scaledapi.operator.api.ScaledApi;

/** The managed Redis's Service, {@code NAME-redis:6379}: the address the API's pods get as REDIS_URL. */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.SHARED_CACHE_SELECTOR))
public class SharedCacheServiceDependent extends SharedCacheDependent<Service> {

    public SharedCacheServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(ScaledApi api, Context<ScaledApi> context) {
        return new ServiceBuilder()
                .withMetadata(SharedCacheObjects.metadata(api))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(SharedCacheObjects.selector(api))
                .addNewPort()
                .withName("redis")
                .withAppProtocol("redis")
                .withPort(SharedCacheObjects.PORT)
                .withTargetPort(new IntOrString("redis"))
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build();
    }
}
