package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.scaledapi.operator.api.ScaledApi;

/**
 * Who may reach the managed Redis: only the API's own pods, on its port. It has a password too, but without this any
 * pod in the cluster could try it. A cluster enforces NetworkPolicy only with a network plugin that implements it.
 */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.SHARED_CACHE_SELECTOR))
public class SharedCacheNetworkPolicyDependent extends SharedCacheDependent<NetworkPolicy> {

    public SharedCacheNetworkPolicyDependent() {
        super(NetworkPolicy.class);
    }

    @Override
    protected NetworkPolicy desired(ScaledApi api, Context<ScaledApi> context) {
        return new NetworkPolicyBuilder()
                .withMetadata(SharedCacheObjects.metadata(api))
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(SharedCacheObjects.selector(api))
                .endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress()
                .addNewFrom()
                .withNewPodSelector()
                .withMatchLabels(OwnedObjects.selector(api))
                .endPodSelector()
                .endFrom()
                .addNewPort()
                .withProtocol("TCP")
                .withPort(new IntOrString(SharedCacheObjects.PORT))
                .endPort()
                .endIngress()
                .endSpec()
                .build();
    }
}
