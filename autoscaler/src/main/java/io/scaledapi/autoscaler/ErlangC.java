package io.scaledapi.autoscaler;

/**
 * The M/M/c queue: {@code c} servers each serving at rate {@code mu}, Poisson arrivals at rate {@code lambda}.
 * Used to size the fleet for a latency target: the fewest servers whose response-time percentile stays under it.
 */
public final class ErlangC {

    private ErlangC() {}

    /** Probability that an arrival has to wait (Erlang's C formula), computed stably for large c. */
    public static double waitProbability(int c, double lambda, double mu) {
        double a = lambda / mu;
        if (a >= c) {
            return 1.0;
        }
        // Erlang B by recursion, then C from B: avoids factorials.
        double b = 1.0;
        for (int k = 1; k <= c; k++) {
            b = a * b / (k + a * b);
        }
        double rho = a / c;
        return b / (1 - rho + rho * b);
    }

    /**
     * The p-quantile (0 < p < 1) of response time, waiting plus service, in seconds; infinite when the servers
     * cannot keep up. Waiting is exponential beyond the wait probability; the two quantiles are added, which
     * over-estimates a little and so errs on the side of more servers.
     */
    public static double responseTimeQuantile(int c, double lambda, double mu, double p) {
        if (lambda >= c * mu) {
            return Double.POSITIVE_INFINITY;
        }
        double service = -Math.log(1 - p) / mu;
        double pw = waitProbability(c, lambda, mu);
        double wait = pw <= 1 - p ? 0 : Math.log(pw / (1 - p)) / (c * mu - lambda);
        return wait + service;
    }

    /** Fewest servers, up to {@code limit}, that keep the p-quantile under the threshold; -1 when none can. */
    public static int serversFor(double lambda, double mu, double p, double thresholdSeconds, int limit) {
        if (lambda <= 0) {
            return 1;
        }
        int c = Math.max(1, (int) Math.floor(lambda / mu));
        for (; c <= limit; c++) {
            if (responseTimeQuantile(c, lambda, mu, p) <= thresholdSeconds) {
                return c;
            }
        }
        return -1;
    }
}
