package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names, labels and the address of the shared cache tier: a user's Redis, or one the operator runs (NAME-redis). */
public final class SharedCacheObjects {

    public static final int PORT = 6379;
    public static final String DEFAULT_MAX_MEMORY = "256Mi";

    private SharedCacheObjects() {}

    /** Whether the spec asks for a Redis the operator runs. */
    public static boolean managed(ScaledApi api) {
        ScaledApiSpec.SharedCache shared = api.getSpec().cache == null ? null : api.getSpec().cache.shared;
        return shared != null && shared.managed != null;
    }

    /** The URL the pods get as REDIS_URL, or null without a shared tier. */
    public static String redisUrl(ScaledApi api) {
        ScaledApiSpec.SharedCache shared = api.getSpec().cache == null ? null : api.getSpec().cache.shared;
        if (shared == null) {
            return null;
        }
        if (shared.redis != null) {
            return shared.redis.url;
        }
        return "redis://" + name(api) + "." + api.getMetadata().getNamespace() + ".svc:" + PORT;
    }

    public static String name(ScaledApi api) {
        return api.getMetadata().getName() + "-redis";
    }

    /** maxmemory in bytes, as redis-server takes it. */
    public static long maxMemoryBytes(ScaledApi api) {
        String text = api.getSpec().cache.shared.managed.maxMemory;
        return Quantity.getAmountInBytes(new Quantity(text == null ? DEFAULT_MAX_MEMORY : text))
                .longValueExact();
    }

    /** On the managed Redis's pods: not the operator's label, so the API's pod informer never sees them. */
    public static Map<String, String> podLabels(ScaledApi api) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", name(api));
        labels.put("app.kubernetes.io/component", "shared-cache");
        labels.put(OwnedObjects.SHARED_CACHE_LABEL, api.getMetadata().getName());
        return labels;
    }

    public static Map<String, String> selector(ScaledApi api) {
        return Map.of(OwnedObjects.SHARED_CACHE_LABEL, api.getMetadata().getName());
    }

    /** Name, namespace and labels of the Redis Deployment and Service. */
    public static ObjectMeta metadata(ScaledApi api) {
        Map<String, String> labels = podLabels(api);
        labels.put("app.kubernetes.io/managed-by", OwnedObjects.MANAGED_BY);
        return new ObjectMetaBuilder()
                .withName(name(api))
                .withNamespace(api.getMetadata().getNamespace())
                .withLabels(labels)
                .build();
    }
}
