package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scaledapi.operator.api.ScaledApi;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The managed Redis's password, in a Secret ({@code NAME-redis-auth}) made once and owned by the ScaledApi: the Redis
 * reads it as a config file, the API's pods through secretKeyRef. It is never rewritten (a new password would lock
 * out the running pods), and the operator needs only get and create on Secrets for it: no list, no watch, so it
 * cannot enumerate the namespace's Secrets.
 */
public final class SharedCacheSecret {

    private static final SecureRandom RANDOM = new SecureRandom();

    private SharedCacheSecret() {}

    /** Creates the Secret unless it exists; whose it is, is {@link NameConflicts}'s to check. Returns whether it made it. */
    public static boolean ensure(KubernetesClient client, ScaledApi api) {
        String namespace = api.getMetadata().getNamespace();
        String name = SharedCacheObjects.secretName(api);
        try {
            if (client.secrets().inNamespace(namespace).withName(name).get() != null) {
                return false;
            }
            client.resource(desired(api)).inNamespace(namespace).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 401 || e.getCode() == 403 || e.getCode() == 422) {
                throw e;
            }
            // 409: made meanwhile (by an earlier reconcile of ours, or someone else: a conflict next time); anything
            // else: the API server cannot answer now, and the next reconcile tries again.
            return false;
        }
    }

    static Secret desired(ScaledApi api) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        return new SecretBuilder()
                .withMetadata(SharedCacheObjects.metadata(api))
                .editMetadata()
                .withName(SharedCacheObjects.secretName(api))
                .withOwnerReferences(OwnedObjects.controllerReference(api, true))
                .endMetadata()
                .withType("Opaque")
                .addToStringData(SharedCacheObjects.PASSWORD_KEY, password)
                .addToStringData(SharedCacheObjects.CONFIG_KEY, "requirepass " + password + "\n")
                .build();
    }
}
