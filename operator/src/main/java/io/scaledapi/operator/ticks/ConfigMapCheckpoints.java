package io.scaledapi.operator.ticks;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.autoscaler.AutoscalerState;
import io.scaledapi.autoscaler.Checkpoint;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.owned.NameConflicts;
import io.scaledapi.operator.owned.OwnedObjects;
import java.util.Map;
import java.util.Optional;

/**
 * Checkpoints in a ConfigMap beside the resource ({@code <name>-autoscaler}), owned by it so that it goes when the
 * ScaledApi goes. Written server-side under the operator's field manager; read once, when an operator process
 * first ticks a resource. The owner's uid is kept with the state, so a re-created resource does not inherit it.
 */
public final class ConfigMapCheckpoints implements CheckpointStore {

    static final String KEY = "state.json";
    private static final String OWNER_UID = "scaledapi.io/owner-uid";

    private final KubernetesClient client;

    public ConfigMapCheckpoints(KubernetesClient client) {
        this.client = client;
    }

    static String name(ScaledApi api) {
        return NameConflicts.checkpointName(api);
    }

    @Override
    public Optional<AutoscalerState> load(ScaledApi api) {
        ConfigMap map = client.configMaps()
                .inNamespace(api.getMetadata().getNamespace())
                .withName(name(api))
                .get();
        if (map == null
                || map.getData() == null
                || !map.getData().containsKey(KEY)
                || map.getMetadata().getAnnotations() == null
                || !api.getMetadata()
                        .getUid()
                        .equals(map.getMetadata().getAnnotations().get(OWNER_UID))) {
            return Optional.empty();
        }
        return Optional.of(Checkpoint.decode(map.getData().get(KEY)));
    }

    /**
     * Saves the checkpoint, unless a ConfigMap of that name exists that this ScaledApi does not control: that one is
     * left alone (see {@link NameConflicts}), and the failure says so.
     */
    @Override
    public void save(ScaledApi api, String checkpoint) {
        ConfigMap existing = client.configMaps()
                .inNamespace(api.getMetadata().getNamespace())
                .withName(name(api))
                .get();
        if (existing != null && !NameConflicts.controlledBy(existing, api)) {
            throw new IllegalStateException("ConfigMap " + api.getMetadata().getNamespace() + "/" + name(api)
                    + " exists and is not controlled by this ScaledApi: it is left alone");
        }
        ConfigMap map = new ConfigMapBuilder()
                .withNewMetadata()
                .withName(name(api))
                .withNamespace(api.getMetadata().getNamespace())
                .withLabels(OwnedObjects.labels(api))
                .withAnnotations(Map.of(OWNER_UID, api.getMetadata().getUid()))
                .withOwnerReferences(OwnedObjects.controllerReference(api, false))
                .endMetadata()
                .withData(Map.of(KEY, checkpoint))
                .build();
        client.resource(map)
                .fieldManager(OwnedObjects.MANAGED_BY)
                .forceConflicts()
                .serverSideApply();
    }
}
