package io.scaledapi.simulator;

import java.util.ArrayList;
import java.util.List;

/** Synthetic pods for the reference policies' tests: counters that grew at set per-pod rates. */
final class SimPods {

    private SimPods() {}

    /**
     * A pod created at {@code created}, ready at {@code readyAt}, whose served counter grew at r0 req/s from its
     * ready time, then r1 from t1, r2 from t2 ... ({@code rates} = r0, t1, r1, t2, r2 ...), up to {@code now}; it saw
     * {@code arrivalFactor} times as many arrivals as it served.
     */
    static Policy.SimPod pod(String name, int created, double readyAt, int now, double arrivalFactor, double... rates) {
        CounterHistory history = new CounterHistory(created);
        double count = 0;
        for (int s = created; s < now; s++) {
            if (s >= readyAt) {
                count += rateAt(s, rates);
            }
            history.add(count);
        }
        return new Policy.SimPod(
                name,
                created,
                Math.min(readyAt, created + 3),
                readyAt,
                now >= readyAt,
                count * arrivalFactor,
                count,
                0,
                0,
                0,
                count,
                history,
                Double.NaN,
                Double.NaN,
                true,
                0);
    }

    /** n warm pods (created at 0, ready long before) serving at the given rates. */
    static List<Policy.SimPod> warm(int n, int now, double... rates) {
        List<Policy.SimPod> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pods.add(pod("p" + i, 0, -600, now, 1, rates));
        }
        return pods;
    }

    /** The ingress's arrival counter for a fleet arriving at the given rates (as {@link #pod}). */
    static CounterHistory ingress(int now, double... rates) {
        CounterHistory history = new CounterHistory(0);
        double count = 0;
        for (int s = 0; s < now; s++) {
            count += rateAt(s, rates);
            history.add(count);
        }
        return history;
    }

    static Policy.FleetView view(List<Policy.SimPod> pods) {
        return new Policy.FleetView(pods, ingress(0, 0));
    }

    private static double rateAt(int s, double... rates) {
        double rate = rates[0];
        for (int k = 1; k + 1 < rates.length; k += 2) {
            if (s >= rates[k]) {
                rate = rates[k + 1];
            }
        }
        return rate;
    }
}
