package io.scaledapi.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProbeScheduleTest {

    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    /** Outcomes one a second from the start; what the probe says after each. */
    static Stream<Arguments> outcomes() {
        Probe thresholds = new ProbeBuilder()
                .withPeriodSeconds(1)
                .withFailureThreshold(3)
                .withSuccessThreshold(2)
                .build();
        Probe defaults = new ProbeBuilder().withPeriodSeconds(1).build();
        return Stream.of(
                Arguments.of("readiness needs successThreshold successes in a row", thresholds, false, "+-++", "FFFT"),
                Arguments.of(
                        "it fails only after failureThreshold failures in a row",
                        thresholds,
                        false,
                        "++--+---",
                        "FTTTTTTF"),
                Arguments.of("defaults: one success, three failures", defaults, false, "+--+---+", "TTTTTTFT"),
                Arguments.of("liveness starts passing and fails at the threshold", defaults, true, "--+---", "TTTTTF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outcomes")
    void flipsAtTheThresholds(String name, Probe probe, boolean initiallyPassing, String results, String expected) {
        ProbeSchedule schedule = new ProbeSchedule(probe, START, initiallyPassing);
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < results.length(); i++) {
            seen.append(schedule.record(START.plusSeconds(i), results.charAt(i) == '+') ? 'T' : 'F');
        }
        assertThat(seen.toString()).isEqualTo(expected);
    }

    @Test
    void runsAfterTheInitialDelayThenEveryPeriod() {
        ProbeSchedule schedule = new ProbeSchedule(
                new ProbeBuilder()
                        .withInitialDelaySeconds(5)
                        .withPeriodSeconds(10)
                        .build(),
                START,
                false);
        assertThat(schedule.due(START)).isFalse();
        assertThat(schedule.due(START.plusSeconds(4))).isFalse();
        assertThat(schedule.due(START.plusSeconds(5))).isTrue();
        schedule.record(START.plusSeconds(5), true);
        assertThat(schedule.due(START.plusSeconds(14))).isFalse();
        assertThat(schedule.due(START.plusSeconds(15))).isTrue();
    }

    @Test
    void defaultsAreTheKubernetesApis() {
        ProbeSchedule schedule = new ProbeSchedule(new Probe(), START, false);
        assertThat(schedule.due(START)).isTrue();
        schedule.record(START, true);
        assertThat(schedule.due(START.plusSeconds(9))).isFalse();
        assertThat(schedule.due(START.plusSeconds(10))).isTrue();
        assertThat(schedule.timeout()).hasSeconds(1);
        assertThat(schedule.passing()).isTrue();
    }
}
