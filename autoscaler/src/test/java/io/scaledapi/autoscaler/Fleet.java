package io.scaledapi.autoscaler;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pods whose counters grow at rates a test sets, ticked through an autoscaler: the test side of the operator's
 * scrape loop. Load is spread evenly over ready pods; new replicas become ready after {@code startup}.
 */
final class Fleet {

    final SettableClock clock = new SettableClock(Instant.parse("2026-11-22T10:00:00Z"));
    final Map<String, double[]> counters = new LinkedHashMap<>(); // requests, hits, misses, durSum, durCount
    final Map<String, Instant> created = new LinkedHashMap<>();
    final List<String> failing = new ArrayList<>();
    Duration startup = Duration.ofSeconds(20);
    double hitRatio = 0.9;
    /** A new pod's cache hits nothing for this long after it becomes ready (0: new pods start warm). */
    int coldForSeconds = 0;

    double serviceSeconds = 0.002;
    /**
     * What one pod can serve per second (infinite: whatever it is sent). Past it, its queue grows, its response time
     * with it, and once that passes {@link #scrapeTimeoutSeconds} its scrapes time out, as when metrics are served
     * behind the API's backlog ({@link #metricsApart} false) .
     */
    double capacityPerPod = Double.POSITIVE_INFINITY;

    boolean metricsApart = true;
    double scrapeTimeoutSeconds = 1.0;
    final Map<String, Double> queued = new LinkedHashMap<>();
    int replicas;
    int next;

    Fleet(int replicas) {
        this.replicas = replicas;
        for (int i = 0; i < replicas; i++) {
            addPod(clock.instant().minus(Duration.ofMinutes(10)));
        }
    }

    void addPod(Instant at) {
        String name = "pod-" + next++;
        counters.put(name, new double[5]);
        created.put(name, at);
    }

    /** Runs for {@code seconds} at {@code rps}, ticking the autoscaler every interval; returns the last decision. */
    Decision run(Autoscaler autoscaler, double rps, int seconds) {
        Decision last = null;
        long interval = autoscaler.policy().interval().toMillis();
        for (long t = 0; t < seconds * 1000L; t += interval) {
            clock.advance(Duration.ofMillis(interval));
            List<String> ready = readyPods();
            for (String pod : ready) {
                double[] c = counters.get(pod);
                double tickSeconds = interval / 1000.0;
                double sent = rps * tickSeconds / ready.size();
                double queue = queued.getOrDefault(pod, 0.0) + sent;
                double requests = Math.min(queue, capacityPerPod * tickSeconds);
                queued.put(pod, queue - requests);
                double wait = Double.isFinite(capacityPerPod) ? (queue - requests) / capacityPerPod : 0;
                boolean cold =
                        clock.instant().isBefore(created.get(pod).plus(startup).plusSeconds(coldForSeconds));
                double hit = cold ? 0 : hitRatio;
                c[0] += requests;
                c[1] += requests * hit;
                c[2] += requests * (1 - hit);
                c[3] += requests * (serviceSeconds + wait);
                c[4] += requests;
            }
            last = tick(autoscaler);
        }
        return last;
    }

    Decision tick(Autoscaler autoscaler) {
        List<PodSnapshot> pods = new ArrayList<>();
        for (String pod : counters.keySet()) {
            Instant readyAt = created.get(pod).plus(startup);
            if (clock.instant().isBefore(readyAt)) {
                pods.add(PodSnapshot.notReady(pod, created.get(pod)));
            } else if (failing.contains(pod)) {
                pods.add(PodSnapshot.unscraped(pod, created.get(pod), readyAt, "connection refused"));
            } else if (!metricsApart && queued.getOrDefault(pod, 0.0) / capacityPerPod > scrapeTimeoutSeconds) {
                pods.add(PodSnapshot.noFullAnswer(pod, created.get(pod), readyAt, "no full answer within 1000 ms"));
            } else {
                double[] c = counters.get(pod);
                pods.add(PodSnapshot.scraped(
                        pod, created.get(pod), readyAt, new PodCounters(c[0], c[1], c[2], c[3], c[4])));
            }
        }
        Decision decision = autoscaler.decide(pods, replicas);
        resize(decision.replicas());
        return decision;
    }

    void resize(int target) {
        while (replicas < target) {
            addPod(clock.instant());
            replicas++;
        }
        while (replicas > target) {
            String last = null;
            for (String k : counters.keySet()) {
                last = k;
            }
            counters.remove(last);
            created.remove(last);
            queued.remove(last);
            replicas--;
        }
    }

    List<String> readyPods() {
        List<String> ready = new ArrayList<>();
        for (String pod : counters.keySet()) {
            if (!clock.instant().isBefore(created.get(pod).plus(startup))) {
                ready.add(pod);
            }
        }
        return ready;
    }
}
