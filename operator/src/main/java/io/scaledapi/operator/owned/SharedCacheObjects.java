package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSourceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * REDIS_URL and REDIS_PASSWORD for the pods, empty without a shared tier. A value from a Secret is passed by
     * reference (secretKeyRef): it never appears in the Deployment, its ReplicaSets or its pods, and the operator
     * never reads it.
     */
    public static List<EnvVar> redisEnv(ScaledApi api) {
        ScaledApiSpec.SharedCache shared = api.getSpec().cache == null ? null : api.getSpec().cache.shared;
        List<EnvVar> env = new ArrayList<>();
        if (shared == null) {
            return env;
        }
        if (shared.redis != null) {
            env.add(
                    shared.redis.urlFrom != null
                            ? fromSecret(REDIS_URL, shared.redis.urlFrom.secretKeyRef)
                            : new EnvVar(REDIS_URL, shared.redis.url, null));
            if (shared.redis.passwordFrom != null) {
                env.add(fromSecret(REDIS_PASSWORD, shared.redis.passwordFrom.secretKeyRef));
            }
            return env;
        }
        env.add(new EnvVar(
                REDIS_URL, "redis://" + name(api) + "." + api.getMetadata().getNamespace() + ".svc:" + PORT, null));
        env.add(new EnvVar(
                REDIS_PASSWORD,
                null,
                new EnvVarSourceBuilder()
                        .withNewSecretKeyRef()
                        .withName(secretName(api))
                        .withKey(PASSWORD_KEY)
                        .endSecretKeyRef()
                        .build()));
        return env;
    }

    private static EnvVar fromSecret(String name, ScaledApiSpec.SecretKeyRef ref) {
        return new EnvVar(
                name,
                null,
                new EnvVarSourceBuilder()
                        .withNewSecretKeyRef()
                        .withName(ref.name)
                        .withKey(ref.key)
                        .endSecretKeyRef()
                        .build());
    }

    public static final String REDIS_URL = "REDIS_URL";
    public static final String REDIS_PASSWORD = "REDIS_PASSWORD";
    /** The managed Redis's password, in its Secret; the Secret also holds it as a redis.conf line. */
    public static final String PASSWORD_KEY = "password";

    public static final String CONFIG_KEY = "redis.conf";

    /** The managed Redis's Secret: generated once, owned by the ScaledApi. */
    public static String secretName(ScaledApi api) {
        return name(api) + "-auth";
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
