package io.scaledapi.operator.ticks;

import io.scaledapi.autoscaler.AutoscalerState;
import io.scaledapi.autoscaler.Checkpoint;
import io.scaledapi.operator.api.ScaledApi;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resource's autoscaler checkpoints: read back when a process first meets the resource, saved after a scale and
 * every {@link #EVERY_MILLIS}. Saving runs on the I/O executor, never on a tick thread; a newer checkpoint replaces
 * one still waiting, so a slow API server queues one per resource. A failing API server is logged once.
 */
public final class ResourceCheckpoints {

    private static final Logger log = LoggerFactory.getLogger(ResourceCheckpoints.class);
    static final long EVERY_MILLIS = 30_000;

    private final String name;
    private final CheckpointStore store;
    private final Executor io;
    private final Clock clock;
    private final AtomicReference<String> unsaved = new AtomicReference<>();
    private volatile boolean soon;
    private volatile boolean failing;
    private long dueAt;

    ResourceCheckpoints(String name, CheckpointStore store, Executor io, Clock clock) {
        this.name = name;
        this.store = store;
        this.io = io;
        this.clock = clock;
        this.dueAt = clock.millis() + ThreadLocalRandom.current().nextLong(EVERY_MILLIS);
    }

    /** The resource's saved state, or null to start fresh (none saved, or it could not be read). Blocking. */
    AutoscalerState restore(ScaledApi api) {
        try {
            var state = store.load(api);
            log.debug(
                    "{} {}",
                    name,
                    state.isPresent() ? "restored its autoscaler checkpoint" : "has no checkpoint: starts fresh");
            return state.orElse(null);
        } catch (RuntimeException e) {
            log.warn("{} could not read its autoscaler checkpoint, starts fresh: {}", name, e.getMessage());
            return null;
        }
    }

    /** A scale was applied: the next tick saves. */
    void saveSoon() {
        soon = true;
    }

    /** After a tick: saves the state when due. {@code stillTracked} says whether the resource is still there. */
    void afterTick(ScaledApi api, AutoscalerState state, BooleanSupplier stillTracked) {
        long now = clock.millis();
        if (!soon && now < dueAt) {
            return;
        }
        soon = false;
        dueAt = now + EVERY_MILLIS;
        if (unsaved.getAndSet(Checkpoint.encode(state, Checkpoint.MAX_BYTES)) == null) {
            io.execute(() -> save(api, stillTracked));
        }
    }

    private void save(ScaledApi api, BooleanSupplier stillTracked) {
        String checkpoint = unsaved.getAndSet(null);
        if (checkpoint == null || !stillTracked.getAsBoolean()) {
            return; // nothing new, or deleted meanwhile (its owner reference would be refused anyway)
        }
        try {
            store.save(api, checkpoint);
            if (failing) {
                failing = false;
                log.info("{} autoscaler checkpoint saved again", name);
            }
        } catch (RuntimeException ex) {
            if (!failing) {
                failing = true;
                log.warn(
                        "{} autoscaler checkpoint not saved (a restarted operator would start this resource afresh): {}",
                        name,
                        ex.getMessage());
            }
        }
    }
}
