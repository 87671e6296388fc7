package io.scaledapi.simulator;

import io.scaledapi.autoscaler.ErlangC;

/**
 * The response times of one pod over one second: a delay for the backlog ahead, an M/M/c wait (with probability
 * Erlang C, exponential at the queue's drain rate), and a service time that is a hit or a miss (exponential each).
 * Closed forms for the tail, mean and variance, so that a second's p95 is judged exactly rather than from samples.
 */
record ResponseTimes(
        double backlogSeconds,
        double waitProbability,
        double drainRate,
        double hitRatio,
        double hitSeconds,
        double missSeconds) {

    static ResponseTimes of(
            int workers,
            double arrivalRate,
            double hitRatio,
            double hitSeconds,
            double missSeconds,
            double backlogSeconds) {
        double service = hitRatio * hitSeconds + (1 - hitRatio) * missSeconds;
        double mu = 1 / service;
        double capacity = workers * mu;
        double lambda = Math.min(arrivalRate, 0.999 * capacity);
        double waiting = lambda <= 0 ? 0 : ErlangC.waitProbability(workers, lambda, mu);
        return new ResponseTimes(
                backlogSeconds,
                waiting,
                Math.max(capacity - lambda, capacity * 0.001),
                hitRatio,
                hitSeconds,
                missSeconds);
    }

    double meanServiceSeconds() {
        return hitRatio * hitSeconds + (1 - hitRatio) * missSeconds;
    }

    double mean() {
        return backlogSeconds + waitProbability / drainRate + meanServiceSeconds();
    }

    double variance() {
        double s = meanServiceSeconds();
        double s2 = 2 * (hitRatio * hitSeconds * hitSeconds + (1 - hitRatio) * missSeconds * missSeconds);
        double w2 = 2 * waitProbability / (drainRate * drainRate);
        double w = waitProbability / drainRate;
        return (s2 - s * s) + (w2 - w * w);
    }

    /** The share of responses slower than {@code seconds}. */
    double slowerThan(double seconds) {
        double y = seconds - backlogSeconds;
        if (y <= 0) {
            return 1;
        }
        double hitRate = 1 / hitSeconds;
        double missRate = 1 / missSeconds;
        double service = hitRatio * Math.exp(-hitRate * y) + (1 - hitRatio) * Math.exp(-missRate * y);
        double waited = hitRatio * sumOfExponentials(hitRate, drainRate, y)
                + (1 - hitRatio) * sumOfExponentials(missRate, drainRate, y);
        return (1 - waitProbability) * service + waitProbability * waited;
    }

    /** P(X + Y > y) for independent exponentials of rates a and b. */
    static double sumOfExponentials(double a, double b, double y) {
        if (Math.abs(a - b) < 1e-9 * Math.max(a, b)) {
            return (1 + a * y) * Math.exp(-a * y);
        }
        return (a * Math.exp(-b * y) - b * Math.exp(-a * y)) / (a - b);
    }

    /** One response time drawn from this distribution, in seconds. */
    double draw(java.util.Random random) {
        double own = random.nextDouble() < hitRatio ? hitSeconds : missSeconds;
        double t = backlogSeconds - Math.log(1 - random.nextDouble()) * own;
        if (random.nextDouble() < waitProbability) {
            t += -Math.log(1 - random.nextDouble()) / drainRate;
        }
        return t;
    }
}
