package io.scaledapi.autoscaler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The autoscaler's memory as text a restarted operator reads back, bounded in bytes. The per-pod counters are the
 * only part that grows with the fleet; past the bound they are left out, which costs the restarted operator one tick
 * (it takes a new baseline for each pod) and nothing else: the windows, scale events, burst mode and the measured
 * start-up are kept.
 */
public final class Checkpoint {

    /** Well under a ConfigMap's 1 MiB, so a checkpoint always fits in one. */
    public static final int MAX_BYTES = 256 * 1024;

    private static final ObjectMapper JSON =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Checkpoint() {}

    /** The state as JSON of at most {@code maxBytes} UTF-8 bytes. */
    public static String encode(AutoscalerState state, int maxBytes) {
        String full = write(state);
        if (full.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return full;
        }
        AutoscalerState withoutPods = copy(state);
        withoutPods.pods.clear();
        String smaller = write(withoutPods);
        while (smaller.getBytes(StandardCharsets.UTF_8).length > maxBytes && !withoutPods.rates.isEmpty()) {
            // Oldest rate samples first: the windows refill within a minute, and the scale events must stay.
            withoutPods
                    .rates
                    .subList(0, Math.max(1, withoutPods.rates.size() / 2))
                    .clear();
            smaller = write(withoutPods);
        }
        // Only a history the CRD's maximums cannot produce gets here: then the oldest decisions go too, which can
        // make a restarted operator's first rate limit start from a later baseline, and nothing else.
        for (List<?> history : List.of(withoutPods.scaleEvents, withoutPods.recommendations)) {
            while (smaller.getBytes(StandardCharsets.UTF_8).length > maxBytes && history.size() > 1) {
                history.subList(0, history.size() / 2).clear();
                smaller = write(withoutPods);
            }
        }
        return smaller;
    }

    public static AutoscalerState decode(String json) {
        try {
            return JSON.readValue(json, AutoscalerState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an autoscaler checkpoint: " + e.getOriginalMessage(), e);
        }
    }

    private static AutoscalerState copy(AutoscalerState state) {
        return decode(write(state));
    }

    private static String write(AutoscalerState state) {
        try {
            return JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
