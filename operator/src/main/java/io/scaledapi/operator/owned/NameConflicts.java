package io.scaledapi.operator.owned;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.scaledapi.operator.api.ScaledApi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The objects a ScaledApi would own, checked before any of them is written. One that already exists under the same
 * name without this ScaledApi as its controller (a user's, or another ScaledApi's) is never adopted: writing it
 * server-side would take its fields over and add an owner reference, and the garbage collector would then delete it
 * with the ScaledApi. So while there is such an object, nothing is written, and the status names it.
 *
 * <p>Objects the informers hold and this ScaledApi controls cost nothing; a name the informers do not show (they list
 * only the operator's own labels) is looked up on the API server until it is seen to be this ScaledApi's.
 */
public final class NameConflicts {

    /** An object this ScaledApi would own. */
    public record Wanted(Class<? extends HasMetadata> type, String kind, String name) {}

    /** Names seen controlled by their ScaledApi (its uid, the kind, the name); bounded, Caffeine evicting the least used. */
    private static final int MAX_CONFIRMED = 10_000;

    private final KubernetesClient client;
    private final Map<String, Boolean> confirmed = Caffeine.newBuilder()
            .maximumSize(MAX_CONFIRMED)
            .<String, Boolean>build()
            .asMap();

    public NameConflicts(KubernetesClient client) {
        this.client = client;
    }

    /** The checkpoint ConfigMap's name (see {@code ConfigMapCheckpoints}). */
    public static String checkpointName(ScaledApi api) {
        return api.getMetadata().getName() + "-autoscaler";
    }

    /** What this spec makes the operator own. */
    public static List<Wanted> wanted(ScaledApi api) {
        String name = api.getMetadata().getName();
        List<Wanted> wanted = new ArrayList<>();
        wanted.add(new Wanted(Deployment.class, "Deployment", name));
        wanted.add(new Wanted(Service.class, "Service", name));
        if (DisruptionBudgetDependent.wanted(api)) {
            wanted.add(new Wanted(PodDisruptionBudget.class, "PodDisruptionBudget", name));
        }
        if (SharedCacheObjects.managed(api)) {
            wanted.add(new Wanted(Deployment.class, "Deployment", SharedCacheObjects.name(api)));
            wanted.add(new Wanted(Service.class, "Service", SharedCacheObjects.name(api)));
            wanted.add(new Wanted(NetworkPolicy.class, "NetworkPolicy", SharedCacheObjects.name(api)));
            wanted.add(new Wanted(Secret.class, "Secret", SharedCacheObjects.secretName(api)));
        }
        wanted.add(new Wanted(ConfigMap.class, "ConfigMap", checkpointName(api)));
        return wanted;
    }

    /**
     * The first object this ScaledApi would own that exists and is not its own, described for a condition: e.g.
     * {@code Service default/catalog exists and is not controlled by this ScaledApi}. Empty when there is none.
     */
    public Optional<String> find(ScaledApi api, Context<ScaledApi> context) {
        String namespace = api.getMetadata().getNamespace();
        for (Wanted w : wanted(api)) {
            String key = key(api, w.kind(), w.name());
            if (confirmed.containsKey(key) || cachedAndOurs(context, w, api)) {
                continue;
            }
            HasMetadata existing;
            try {
                existing = client.resources(w.type())
                        .inNamespace(namespace)
                        .withName(w.name())
                        .get();
            } catch (KubernetesClientException e) {
                if (e.getCode() == 401 || e.getCode() == 403) {
                    throw e;
                }
                // The API server cannot say now (away, or failing): the reconcile goes on as it would without this
                // look, which an outage must not fail; while it is away no write reaches it either.
                continue;
            }
            if (existing == null) {
                continue;
            }
            if (controlledBy(existing, api)) {
                confirmed.put(key, Boolean.TRUE); // it stays ours: no need to look again
                continue;
            }
            return Optional.of(w.kind() + " " + namespace + "/" + w.name() + " exists and is not controlled by"
                    + " this ScaledApi" + controllerOf(existing));
        }
        return Optional.empty();
    }

    /** Whether the object of this kind and name was seen controlled by this ScaledApi: it exists, and stays ours. */
    public boolean seenOurs(ScaledApi api, String kind, String name) {
        return confirmed.containsKey(key(api, kind, name));
    }

    private static String key(ScaledApi api, String kind, String name) {
        return api.getMetadata().getUid() + " " + kind + " " + name;
    }

    private static boolean cachedAndOurs(Context<ScaledApi> context, Wanted w, ScaledApi api) {
        if (w.type() == ConfigMap.class || w.type() == Secret.class) {
            return false;
        }
        return context.getSecondaryResourcesAsStream(w.type())
                .anyMatch(o -> w.name().equals(o.getMetadata().getName()) && controlledBy(o, api));
    }

    /** Whether this ScaledApi (this very object: its uid) is the object's controller. */
    public static boolean controlledBy(HasMetadata object, ScaledApi api) {
        return object.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> Boolean.TRUE.equals(o.getController())
                        && api.getMetadata().getUid().equals(o.getUid()));
    }

    private static String controllerOf(HasMetadata object) {
        return object.getMetadata().getOwnerReferences().stream()
                .filter(o -> Boolean.TRUE.equals(o.getController()))
                .findFirst()
                .map(NameConflicts::describe)
                .orElse(" (it has no controller)");
    }

    private static String describe(OwnerReference owner) {
        return " (its controller is " + owner.getKind() + " " + owner.getName() + ")";
    }
}
