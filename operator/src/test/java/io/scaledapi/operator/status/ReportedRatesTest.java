package io.scaledapi.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.scaledapi.autoscaler.Decision;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportedRatesTest {

    /** Shown values, measured values, and what is shown after: a wobble keeps it, a change moves it at once. */
    @ParameterizedTest(name = "shown {0}/{1}/{2}, measured {3}/{4}/{5} -> {6}/{7}/{8}")
    @CsvSource(
            nullValues = "null",
            value = {
                // nothing shown yet: the measured values, rounded
                "null, null,  null,  812.34, 845.66, 0.8712, 812.3, 845.7, 0.871",
                // within the margins (5 % stable, 10 % burst, 2 points of hit ratio): unchanged
                "812.3, 845.7, 0.871, 850.0, 920.0, 0.889, 812.3, 845.7, 0.871",
                // past them: moved
                "812.3, 845.7, 0.871, 855.0, 940.0, 0.892, 855.0, 940.0, 0.892",
                // a falling rate the same way
                "812.3, 845.7, 0.871, 770.0, 760.0, 0.850, 770.0, 760.0, 0.85",
                // small rates move by at least 1 req/s
                "3.0, 3.0, null, 3.9, 2.1, NaN, 3.0, 3.0, null",
                "3.0, 3.0, null, 4.1, 1.9, NaN, 4.1, 1.9, null",
                // unknown (NaN) keeps what is shown
                "812.3, 845.7, 0.871, NaN, NaN, NaN, 812.3, 845.7, 0.871",
            })
    void ratesMoveOnlyPastTheirMargins(
            Double stable,
            Double burst,
            Double hit,
            double mStable,
            double mBurst,
            double mHit,
            Double eStable,
            Double eBurst,
            Double eHit) {
        Decision d = Decisions.decision(3, Decision.Mode.Stable, "hold", mStable, mBurst, mHit);
        assertThat(new ReportedRates(stable, burst, hit, null, null).next(d))
                .isEqualTo(new ReportedRates(eStable, eBurst, eHit, null, null));
    }
}
