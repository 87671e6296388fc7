package io.scaledapi.operator.ticks;

import io.scaledapi.autoscaler.AutoscalerState;
import io.scaledapi.operator.api.ScaledApi;
import java.util.Optional;

/** Where a ScaledApi's autoscaler memory is kept between operator processes. Calls may block: not on a reconcile. */
public interface CheckpointStore {

    /** The last checkpoint of this resource (of this very object: a re-created one with the same name starts anew). */
    Optional<AutoscalerState> load(ScaledApi api);

    /** Saves a checkpoint made by {@link io.scaledapi.autoscaler.Checkpoint#encode}. */
    void save(ScaledApi api, String checkpoint);
}
