package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CapacityPlanTest {

    /** Tolerance 10 %, a 30 s down window, one measure every 2 s. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "the first measure is planned with                  | 300               | 300",
                "moves within the tolerance replan nothing          | 300 320 285 329   | 300 300 300 300",
                "down past the tolerance: at once                   | 300 320 260 300   | 300 300 260 260",
                "NaN forgets the plan                               | 300 NaN 280       | 300 NaN 280",
                // A clean-clone end-to-end run's swing: up for 24 s, then back within the tolerance; planned at 358
                // throughout.
                "up for less than the down window: nothing          | 358 430 479 430 479 430 479 430 479 430 479 430 479 430 381 333"
                        + " | 358 358 358 358 358 358 358 358 358 358 358 358 358 358 358 358",
                // Up for 30 s: the lowest measure of that time.
                "up for a whole down window: its lowest             | 300 360 400 370 380 390 400 410 420 430 440 450 460 470 480 490 500"
                        + " | 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 360",
                "a measure back within the tolerance starts it over | 300 360 360 360 320 360 360 360 360 360 360 360 360 360 360 360 360 360 360 360 360"
                        + " | 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 300 360"
            })
    void followsTheMeasureDownAtOnceAndUpOnlyOnceItHeld(String label, String measures, String planned) {
        CapacityPlan plan = new CapacityPlan();
        List<Double> seen = new ArrayList<>();
        long now = 0;
        for (String m : measures.trim().split("\\s+")) {
            now += 2000;
            seen.add(plan.next(now, Double.parseDouble(m), 0.1, 30_000));
        }
        assertThat(seen)
                .containsExactlyElementsOf(Arrays.stream(planned.trim().split("\\s+"))
                        .map(Double::parseDouble)
                        .toList());
    }
}
