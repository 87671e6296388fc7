package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    static AutoscalerState state(int pods, int rates) {
        AutoscalerState state = new AutoscalerState();
        long t = 1_764_000_000_000L;
        for (int i = 0; i < rates; i++) {
            state.rates.add(new AutoscalerState.RateSample(
                    t + i * 2000L, new RequestRate(812.5 + i, 830.25 + i), 650.0 * i, 160.0 * i, 4.2 * i, 812.0 * i));
        }
        state.recommendations.add(new AutoscalerState.Recommendation(t, 4));
        state.scaleEvents.add(new AutoscalerState.ScaleEvent(t, 3, 4));
        state.startupMillis = 33_000L;
        state.burstSince = t;
        state.lastTick = t + rates * 2000L;
        for (int i = 0; i < pods; i++) {
            // Pod names as long as a Deployment's pods get: a 47-character name, a hash and a suffix.
            String name = "catalog-search-api-with-a-rather-long-name-abcde-7d9f8c6b5d-" + String.format("%05d", i);
            state.pods.add(new AutoscalerState.PodCounterState(
                    name, t, new PodCounters(123_456.0 + i, 98_765.0, 24_691.0, 601.25, 123_456.0)));
        }
        return state;
    }

    @Test
    void aSmallStateRoundTripsWhole() {
        AutoscalerState original = state(4, 30);
        String text = Checkpoint.encode(original, Checkpoint.MAX_BYTES);
        AutoscalerState restored = Checkpoint.decode(text);
        assertThat(restored).usingRecursiveComparison().isEqualTo(original);
    }

    @Test
    void aThousandPodsFitWhole() {
        AutoscalerState original = state(1000, 30);
        String text = Checkpoint.encode(original, Checkpoint.MAX_BYTES);
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Checkpoint.MAX_BYTES);
        assertThat(Checkpoint.decode(text)).usingRecursiveComparison().isEqualTo(original);
    }

    @Test
    void pastTheBoundThePodsGiveWayAndTheWindowsStay() {
        AutoscalerState original = state(3000, 30);
        String text = Checkpoint.encode(original, Checkpoint.MAX_BYTES);
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(Checkpoint.MAX_BYTES);
        AutoscalerState restored = Checkpoint.decode(text);
        assertThat(restored.pods).as("the per-pod counters are what gives way").isEmpty();
        assertThat(restored.rates).hasSize(30);
        assertThat(restored.scaleEvents)
                .usingRecursiveFieldByFieldElementComparator()
                .isEqualTo(original.scaleEvents);
        assertThat(restored.startupMillis).isEqualTo(33_000L);
        assertThat(restored.burstSince).isEqualTo(original.burstSince);
        assertThat(restored.lastTick).isEqualTo(original.lastTick);
        // The original is left as it was: the process keeps deciding on it.
        assertThat(original.pods).hasSize(3000);
    }

    @Test
    void aTightBoundGivesUpTheOldestRatesBeforeTheScaleEvents() {
        AutoscalerState original = state(0, 30);
        String text = Checkpoint.encode(original, 2_000);
        assertThat(text.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(2_000);
        AutoscalerState restored = Checkpoint.decode(text);
        assertThat(restored.rates).isNotEmpty().hasSizeLessThan(30);
        assertThat(restored.rates.get(restored.rates.size() - 1).t).isEqualTo(original.rates.get(29).t);
        assertThat(restored.scaleEvents).hasSize(1);
    }

    @Test
    void somethingElseIsRefusedWithAClearError() {
        assertThatThrownBy(() -> Checkpoint.decode("{\"rates\": 5}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not an autoscaler checkpoint");
    }
}
