package io.scaledapi.operator.status;

import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.Rates;
import io.scaledapi.autoscaler.RequestRate;
import java.util.Map;

/** Decisions as the tests here need them: rates as status shows them, every pod measured. */
public final class Decisions {

    private Decisions() {}

    /** Windows that saw {@code stable} and {@code burst} req/s, with no pod left unmeasured (low and high agree). */
    public static Rates rates(double stable, double burst, double hitRatio, double sharedHitRatio) {
        RequestRate burstRate = new RequestRate(burst, burst);
        return new Rates(
                new RequestRate(stable, stable), burstRate, burstRate, hitRatio, sharedHitRatio, Double.NaN, 0);
    }

    public static Decision decision(
            int replicas, Decision.Mode mode, String reason, double stable, double burst, double hitRatio) {
        return new Decision(
                replicas,
                mode,
                reason,
                rates(stable, burst, hitRatio, Double.NaN),
                true,
                "every ready pod measured",
                null,
                Map.of(),
                null,
                Double.NaN);
    }
}
