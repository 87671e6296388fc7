package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.scaledapi.operator.api.ScaledApi;

/** The API's Service: port 80 to the pods' named port. */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.API_SELECTOR))
public class ServiceDependent extends OwnedDependent<Service> {

    public ServiceDependent() {
        super(Service.class);
    }

    @Override
    protected Service desired(ScaledApi api, Context<ScaledApi> context) {
        return new ServiceBuilder()
                .withMetadata(OwnedObjects.metadata(api))
                .withNewSpec()
                .withType("ClusterIP")
                .withSelector(OwnedObjects.selector(api))
                .addNewPort()
                .withName(OwnedObjects.PORT_NAME)
                .withPort(80)
                .withTargetPort(new IntOrString(OwnedObjects.PORT_NAME))
                .withProtocol("TCP")
                .endPort()
                .endSpec()
                .build();
    }
}
