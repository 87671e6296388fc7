package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The defaults live in one place: the words the CRD shows are the values the autoscaler runs. */
class ScalingPolicyTest {

    @Test
    void theDefaultsInWordsAreTheDefaultValues() {
        assertThat(describe(ScalingPolicy.DEFAULTS.up(), true)).isEqualTo(ScalingPolicy.DEFAULT_SCALE_UP);
        assertThat(describe(ScalingPolicy.DEFAULTS.down(), false)).isEqualTo(ScalingPolicy.DEFAULT_SCALE_DOWN);
        assertThat(ScalingPolicy.DEFAULTS.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ScalingPolicy.DEFAULTS.windows().burst()).isEqualTo(Duration.ofSeconds(6));
        assertThat(ScalingPolicy.DEFAULTS.burstThreshold()).isEqualTo(2.0);
    }

    @Test
    void rulesInWordsFollowTheirValues() {
        var rules = new ScalingPolicy.ScalingRules(Duration.ofSeconds(120), 0, 25, Duration.ofSeconds(60));
        assertThat(describe(rules, false)).isEqualTo("120s stabilization, -25% per 60s");
    }

    @Test
    void emptySettingsGiveTheDefaults() {
        var settings = new ScalingSettings(1, 10, null, null, null, null, null, null);
        assertThat(settings.policy()).isEqualTo(ScalingPolicy.DEFAULTS);
    }

    /** Up or down rules in words, as the CRD's descriptions give the defaults. */
    private static String describe(ScalingPolicy.ScalingRules rules, boolean up) {
        String stabilization = rules.stabilization().isZero()
                ? "no stabilization"
                : rules.stabilization().toSeconds() + "s stabilization";
        String sign = up ? "+" : "-";
        String period = " per " + rules.period().toSeconds() + "s";
        if (rules.maxPods() > 0) {
            return stabilization + ", " + sign + rules.maxPercent() + "% or " + sign + rules.maxPods() + " pods"
                    + period + ", whichever is more";
        }
        return stabilization + ", " + sign + rules.maxPercent() + "%" + period;
    }
}
