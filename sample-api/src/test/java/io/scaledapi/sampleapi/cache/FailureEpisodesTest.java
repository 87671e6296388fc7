package io.scaledapi.sampleapi.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FailureEpisodesTest {

    /**
     * Events as {@code f@SECONDS} (a failure) or {@code a} (an answer), with a 60 s quiet; what gets logged: {@code F0}
     * a failure with nothing unlogged before it, {@code F2} one after two unlogged, {@code A} an answer again.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "f@0                          | F0",
                "f@0 a                        | F0 A",
                "f@0 f@1 f@2 a                | F0 A", // one failure lasting: logged once
                "f@0 a f@1 a f@2 a f@3 a      | F0 A", // flapping within the quiet: one problem
                "f@0 a f@1 a f@2 a f@61 a     | F0 A F2 A", // past the quiet: logged, with the two unlogged
                "f@0 a f@60 a                 | F0 A F0 A", // exactly the quiet apart: two problems
                "a a f@5 a                    | F0 A", // answers before any failure log nothing
                "f@0 a f@30 f@70 a f@90 a     | F0 A F1 A", // at 70 still the unlogged failure of 30
            })
    void aFlappingTierIsOneProblem(String events, String expected) {
        FailureEpisodes episodes = new FailureEpisodes(Duration.ofSeconds(60));
        List<String> logged = new ArrayList<>();
        for (String event : events.trim().split("\\s+")) {
            if (event.equals("a")) {
                if (episodes.answered()) {
                    logged.add("A");
                }
            } else {
                long unlogged = episodes.failed(
                        Duration.ofSeconds(Long.parseLong(event.substring(2))).toNanos());
                if (unlogged != FailureEpisodes.SILENT) {
                    logged.add("F" + unlogged);
                }
            }
        }
        assertThat(String.join(" ", logged)).isEqualTo(expected.trim());
    }
}
