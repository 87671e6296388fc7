package io.scaledapi.operator.simulation;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Replays a trace against a simulated fleet driven by one policy, second by second. Poisson arrivals (the same for
 * every policy, from the seed) are spread evenly over ready replicas; each replica serves with {@code workers}
 * servers whose service time is a hit/miss mixture, its hit ratio growing as its cache warms; requests beyond a
 * replica's capacity queue, and beyond the queue bound fail. Response times come from the M/M/c waiting time plus
 * any backlog. A replica's true capacity comes from this model, never from a policy's target.
 */
public final class FleetSimulator {

    private static final int SAMPLES_PER_REPLICA_SECOND = 12;

    private final SimulationConfig.Fleet f;
    private final Trace trace;
    private final long seed;
    private final double[] arrivals;

    public FleetSimulator(SimulationConfig.Fleet fleet, Trace trace, long seed) {
        this.f = fleet;
        this.trace = trace;
        this.seed = seed;
        Random random = new Random(seed);
        arrivals = new double[trace.seconds()];
        for (int s = 0; s < arrivals.length; s++) {
            arrivals[s] = poisson(random, trace.rateAt(s));
        }
    }

    private static final class Pod {
        final String name;
        final int created;
        final double readyAt;
        double backlog;
        double requests;
        double hits;
        double misses;
        double durationSum;
        final List<Double> history = new ArrayList<>();

        Pod(String name, int created, double readyAt) {
            this.name = name;
            this.created = created;
            this.readyAt = readyAt;
        }

        boolean ready(double now) {
            return now >= readyAt;
        }
    }

    public PolicyReport run(Policy policy) {
        Random jitter = new Random(seed + 1);
        Random latencies = new Random(seed + 2);
        List<Pod> pods = new ArrayList<>();
        int podNumber = 0;
        int initial = trace.initialReplicas() != null ? trace.initialReplicas() : f.initialReplicas;
        for (int i = 0; i < initial; i++) {
            pods.add(new Pod("pod-" + podNumber++, 0, -600)); // warm and ready before the trace starts
        }
        LatencyHistogram all = new LatencyHistogram();
        LatencyHistogram second = new LatencyHistogram();
        double[] readyCapacity = new double[trace.seconds()];
        int overload = 0;
        int slo = 0;
        double failed = 0;
        long replicaSeconds = 0;
        int scaleEvents = 0;
        int reversals = 0;
        int lastDirection = 0;
        double nextDecision = 0;
        for (int s = 0; s < trace.seconds(); s++) {
            if (s >= nextDecision - 1e-9) {
                nextDecision += policy.periodSeconds();
                int current = pods.size();
                int desired = policy.decide(s, current, view(pods, s));
                if (desired != current) {
                    scaleEvents++;
                    int direction = Integer.signum(desired - current);
                    if (lastDirection != 0 && direction != lastDirection) {
                        reversals++;
                    }
                    lastDirection = direction;
                }
                while (pods.size() < desired) {
                    double startup = f.startupSeconds + (jitter.nextDouble() * 2 - 1) * f.startupJitterSeconds;
                    pods.add(new Pod("pod-" + podNumber++, s, s + Math.max(1, startup)));
                }
                while (pods.size() > desired) {
                    pods.remove(victim(pods, s));
                }
            }
            replicaSeconds += pods.size();
            List<Pod> ready = new ArrayList<>();
            for (Pod p : pods) {
                if (p.ready(s)) {
                    ready.add(p);
                }
            }
            double demand = trace.rateAt(s);
            second.clear();
            if (ready.isEmpty()) {
                failed += arrivals[s];
                if (demand > 0) {
                    overload++;
                }
            } else {
                double share = arrivals[s] / ready.size();
                double capacityNow = 0;
                for (Pod p : ready) {
                    double hit = f.warmHitRatio * Math.min(1, (s - p.readyAt) / Math.max(1, f.warmupSeconds));
                    double service = (hit * f.hitServiceMs + (1 - hit) * f.missServiceMs) / 1000;
                    double capacity = f.workersPerReplica / service;
                    capacityNow += capacity;
                    double load = p.backlog + share;
                    double served = Math.min(load, capacity);
                    p.backlog = load - served;
                    if (p.backlog > f.queueBound) {
                        failed += p.backlog - f.queueBound;
                        p.backlog = f.queueBound;
                    }
                    double meanMs = sampleLatencies(latencies, share, capacity, service, hit, p.backlog, served, all, second);
                    p.requests += served;
                    p.hits += served * hit;
                    p.misses += served * (1 - hit);
                    p.durationSum += served * meanMs / 1000;
                }
                readyCapacity[s] = capacityNow;
                if (demand > capacityNow) {
                    overload++;
                }
                if (!second.isEmpty() && second.quantile(0.95) > f.sloP95Ms) {
                    slo++;
                }
            }
            for (Pod p : pods) {
                p.history.add(p.requests);
            }
        }
        List<Integer> steps = new ArrayList<>();
        for (int step : trace.steps()) {
            int covered = -1;
            for (int s = step; s < trace.seconds(); s++) {
                if (readyCapacity[s] >= trace.rateAt(s)) {
                    covered = s - step;
                    break;
                }
            }
            steps.add(covered);
        }
        return new PolicyReport(overload, slo, Math.round(failed), round(all.quantile(0.5)), round(all.quantile(0.95)),
                round(all.quantile(0.99)), replicaSeconds, scaleEvents, reversals, steps);
    }

    /** Draws response times for one replica-second; returns their mean in ms. */
    private double sampleLatencies(Random random, double arrivalRate, double capacity, double service, double hit,
            double backlog, double served, LatencyHistogram all, LatencyHistogram second) {
        double mu = 1 / service;
        int c = f.workersPerReplica;
        double backlogDelay = backlog / capacity;
        double waitProbability = arrivalRate >= capacity ? 1 : io.scaledapi.operator.autoscaling.ErlangC.waitProbability(c, arrivalRate, mu);
        double drain = Math.max(c * mu - arrivalRate, c * mu * 0.01);
        double sum = 0;
        double weight = served / SAMPLES_PER_REPLICA_SECOND;
        for (int k = 0; k < SAMPLES_PER_REPLICA_SECOND; k++) {
            double own = random.nextDouble() < hit ? f.hitServiceMs : f.missServiceMs;
            double ms = -Math.log(1 - random.nextDouble()) * own;
            if (random.nextDouble() < waitProbability) {
                ms += -Math.log(1 - random.nextDouble()) / drain * 1000;
            }
            ms += backlogDelay * 1000;
            all.add(ms, weight);
            second.add(ms, weight);
            sum += ms;
        }
        return sum / SAMPLES_PER_REPLICA_SECOND;
    }

    /** As a ReplicaSet picks: pods not yet ready first, then the newest. */
    private static int victim(List<Pod> pods, int now) {
        int pick = pods.size() - 1;
        for (int i = pods.size() - 1; i >= 0; i--) {
            if (!pods.get(i).ready(now)) {
                return i;
            }
        }
        return pick;
    }

    private static List<Policy.SimPod> view(List<Pod> pods, int now) {
        List<Policy.SimPod> view = new ArrayList<>(pods.size());
        for (Pod p : pods) {
            view.add(new Policy.SimPod(p.name, p.created, p.readyAt, p.ready(now), p.requests, p.hits, p.misses,
                    p.durationSum, p.requests, p.history));
        }
        return view;
    }

    private static double poisson(Random random, double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 50) {
            return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.nextGaussian()));
        }
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
