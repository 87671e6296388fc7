package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "30s,30000,30s",
        "5m,300000,300s",
        "1m30s,90000,90s",
        "250ms,250,250ms",
        "1.5s,1500,1500ms",
        "1h,3600000,3600s",
        "2h45m,9900000,9900s"
    })
    void goDurationsParseAndAreHandedToSpringInItsForm(String text, long millis, String spring) {
        Duration parsed = Durations.parse(text);
        assertThat(parsed.toMillis()).isEqualTo(millis);
        assertThat(Durations.forSpring(parsed)).isEqualTo(spring);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "soon", "-5s", "5", "5 s", "s", "1d"})
    void anythingElseIsRefused(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
