package io.scaledapi.operator.owned;

import io.scaledapi.operator.api.ScaledApi;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names and labels of the objects a ScaledApi owns. They share its name. */
public final class OwnedObjects {

    public static final String MANAGED_BY = ScaledApi.MANAGER;
    /** Selects only the objects this operator manages, so its informers cache nothing else. */
    public static final String MANAGED_SELECTOR = "app.kubernetes.io/managed-by=" + MANAGED_BY;
    /** On the objects of a managed shared cache (Redis), naming the ScaledApi they serve. */
    public static final String SHARED_CACHE_LABEL = "scaledapi.io/shared-cache-of";
    /** The API's own objects (its Deployment, Service, budget), without those of its managed Redis. */
    public static final String API_SELECTOR = MANAGED_SELECTOR + ",!" + SHARED_CACHE_LABEL;
    /** The objects of managed Redis instances. */
    public static final String SHARED_CACHE_SELECTOR = MANAGED_SELECTOR + "," + SHARED_CACHE_LABEL;

    public static final String NAME_LABEL = "scaledapi.io/name";
    public static final String PORT_NAME = "http";
    /** The API's container in each pod. */
    public static final String API_CONTAINER = "api";
    /** The pods' metrics and probe port, when it is not the API's. */
    public static final String METRICS_PORT_NAME = "metrics";

    private OwnedObjects() {}

    /** Labels on every owned object. */
    public static Map<String, String> labels(ScaledApi api) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", api.getMetadata().getName());
        labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
        labels.put(NAME_LABEL, api.getMetadata().getName());
        return labels;
    }

    /**
     * The owner reference of an object the ScaledApi controls, written by the operator itself rather than by JOSDK.
     *
     * @param blockOwnerDeletion whether foreground deletion of the ScaledApi waits for the object
     */
    public static io.fabric8.kubernetes.api.model.OwnerReference controllerReference(
            ScaledApi api, boolean blockOwnerDeletion) {
        return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                .withApiVersion(api.getApiVersion())
                .withKind(api.getKind())
                .withName(api.getMetadata().getName())
                .withUid(api.getMetadata().getUid())
                .withController(true)
                .withBlockOwnerDeletion(blockOwnerDeletion)
                .build();
    }

    /** Name, namespace and labels of an owned object. */
    public static io.fabric8.kubernetes.api.model.ObjectMeta metadata(ScaledApi api) {
        return new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                .withName(api.getMetadata().getName())
                .withNamespace(api.getMetadata().getNamespace())
                .withLabels(labels(api))
                .build();
    }

    /** The restricted container security context every owned container gets. */
    public static io.fabric8.kubernetes.api.model.SecurityContext restrictedContainer() {
        return new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .build();
    }

    /** The pod selector: stable for the life of the resource (a Deployment's selector cannot change). */
    public static Map<String, String> selector(ScaledApi api) {
        return Map.of(NAME_LABEL, api.getMetadata().getName());
    }
}
