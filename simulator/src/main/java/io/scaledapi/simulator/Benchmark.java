package io.scaledapi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * {@code dev/autoscaler-benchmark [--traces DIR]... [--seeds N] [--weights 10,30,100] [--config FILE]}: replays every
 * trace through ours (one default configuration) and through the HPA and KPA families swept over their main knobs,
 * for seeds 1..N, and scores each run by J(w) = C + w B (replica-seconds plus w per bad second), averaged over the
 * seeds. A family's J is its lowest over its configurations, per trace and per weight: tuned with hindsight. Ours is
 * also reported tuned the same way ({@code oursTuned}: its target over the families' targets), so that the algorithms
 * can be compared at equal tuning as well as ours-as-shipped against the families' best. Prints one JSON object on
 * stdout and a table on stderr.
 */
public final class Benchmark {

    private static final Usage USAGE = new Usage(
            "autoscaler-benchmark",
            "dev/autoscaler-benchmark [--traces DIR]... [--seeds N] [--weights 10,30,100] [--config FILE] "
                    + "[--fleet local,shared,weak,strong,behind]");

    /**
     * The fleet variants: pods with only their own cache; with a shared tier; 30 % weaker and 30 % stronger than
     * the pods the targets were tuned on; and with metrics served behind the API's queue (a scrape then waits there).
     */
    static final List<String> FLEETS = List.of("local", "shared", "weak", "strong", "behind");

    static final double[] TARGETS = {350, 450, 550, 700, 850};
    static final double[] HPA_DOWN_WINDOWS = {60, 150, 300};
    static final double[] HPA_RATE_WINDOWS = {60, 120};
    static final String[] HPA_METRICS = {"pods", "object"};
    static final double[] KPA_STABLE_WINDOWS = {30, 60, 120};
    static final double[] KPA_PANIC_THRESHOLDS = {1.5, 2, 3};

    private Benchmark() {}

    /** One member of a family: its knobs (for the report) and how to build it for a seed. */
    record Candidate(String family, Map<String, Object> knobs, PolicyFactory factory) {}

    interface PolicyFactory {
        Policy create(long seed);
    }

    /** Mean figures of one candidate on one trace over the seeds. */
    record Score(
            double replicaSeconds,
            double badSeconds,
            double scaleEvents,
            double reversals,
            int maxScaleEvents,
            double reversalsWhileScaling,
            double blindTicks) {

        double cost(double w) {
            return replicaSeconds + w * badSeconds;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Path> folders = new ArrayList<>();
        int seeds = 10;
        double[] weights = {10, 30, 100};
        Path config = null;
        List<String> fleets = FLEETS;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--traces" -> folders.add(Path.of(USAGE.value(args[i], value)));
                case "--seeds" -> seeds = Integer.parseInt(USAGE.value(args[i], value));
                case "--weights" ->
                    weights = Stream.of(USAGE.value(args[i], value).split(","))
                            .mapToDouble(Double::parseDouble)
                            .toArray();
                case "--config" -> config = Path.of(USAGE.value(args[i], value));
                case "--fleet" -> fleets = List.of(USAGE.value(args[i], value).split(","));
                default -> USAGE.fail("unknown argument " + args[i]);
            }
            i++;
        }
        if (folders.isEmpty()) {
            folders.add(Path.of("simulator", "traces"));
        }
        if (seeds < 1) {
            USAGE.fail("--seeds must be at least 1");
        }
        SimulationConfig cfg = config == null
                ? new SimulationConfig()
                : new ObjectMapper().readValue(Files.readString(config), SimulationConfig.class);
        List<Trace> traces = new ArrayList<>();
        for (Path folder : folders) {
            traces.addAll(readTraces(folder));
        }
        if (traces.isEmpty()) {
            USAGE.fail("no *.csv traces in " + folders);
        }
        Map<String, Object> reports = new LinkedHashMap<>();
        for (String fleet : fleets) {
            if (!FLEETS.contains(fleet)) {
                USAGE.fail("--fleet takes some of " + String.join(",", FLEETS) + ", got " + fleet);
            }
            SimulationConfig variant = variant(cfg, fleet);
            Map<String, Object> report =
                    run(traces, variant, seeds, weights, Runtime.getRuntime().availableProcessors());
            reports.put(fleet, report);
            System.err.println("fleet: "
                    + switch (fleet) {
                        case "shared" -> "shared cache tier (new pods' misses hit Redis at the fleet's ratio)";
                        case "weak" -> "local caches, pods 30 % weaker than the targets were tuned on";
                        case "strong" -> "local caches, pods 30 % stronger than the targets were tuned on";
                        case "behind" -> "local caches, metrics served behind the API's queue (a scrape waits in it)";
                        default -> "local caches only";
                    });
            System.err.print(table(report, weights));
        }
        System.out.println(new ObjectMapper().writeValueAsString(reports));
    }

    /** The configuration of one fleet variant ({@link #FLEETS}). */
    static SimulationConfig variant(SimulationConfig cfg, String fleet) throws IOException {
        SimulationConfig variant =
                new ObjectMapper().readValue(new ObjectMapper().writeValueAsString(cfg), SimulationConfig.class);
        variant.fleet.sharedCache = fleet.equals("shared");
        switch (fleet) {
            case "weak" -> variant.fleet.capacityFactor = cfg.fleet.capacityFactor * 0.7;
            case "strong" -> variant.fleet.capacityFactor = cfg.fleet.capacityFactor * 1.3;
            case "behind" -> variant.fleet.metricsApart = false;
            default -> {}
        }
        return variant;
    }

    static List<Trace> readTraces(Path folder) throws IOException {
        List<Trace> traces = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
                traces.add(Trace.read(file));
            }
        }
        return traces;
    }

    static List<Candidate> hpaFamily(SimulationConfig cfg) {
        List<Candidate> family = new ArrayList<>();
        for (double target : TARGETS) {
            for (double down : HPA_DOWN_WINDOWS) {
                for (double window : HPA_RATE_WINDOWS) {
                    for (String metric : HPA_METRICS) {
                        SimulationConfig.Hpa h = copy(cfg.hpa, SimulationConfig.Hpa.class);
                        h.targetRequestsPerSecond = target;
                        h.downStabilizationSeconds = down;
                        h.rateWindowSeconds = window;
                        h.metric = metric;
                        Map<String, Object> knobs = new LinkedHashMap<>();
                        knobs.put("target", target);
                        knobs.put("downWindowSeconds", down);
                        knobs.put("rateWindowSeconds", window);
                        knobs.put("metric", metric);
                        family.add(new Candidate(
                                "hpa",
                                knobs,
                                seed -> new HpaPolicy(h, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas, seed)));
                    }
                }
            }
        }
        return family;
    }

    static List<Candidate> kpaFamily(SimulationConfig cfg) {
        List<Candidate> family = new ArrayList<>();
        for (double target : TARGETS) {
            for (double stable : KPA_STABLE_WINDOWS) {
                for (double panic : KPA_PANIC_THRESHOLDS) {
                    SimulationConfig.Kpa k = copy(cfg.kpa, SimulationConfig.Kpa.class);
                    k.targetRequestsPerSecond = target;
                    k.stableWindowSeconds = stable;
                    k.panicThreshold = panic;
                    Map<String, Object> knobs = new LinkedHashMap<>();
                    knobs.put("target", target);
                    knobs.put("stableWindowSeconds", stable);
                    knobs.put("panicThreshold", panic);
                    family.add(new Candidate(
                            "kpa",
                            knobs,
                            seed -> new KpaPolicy(k, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas)));
                }
            }
        }
        return family;
    }

    static Candidate ours(SimulationConfig cfg) {
        return new Candidate(
                "ours",
                Map.of("target", cfg.scaledapi.targetRequestsPerSecond),
                seed -> new ScaledApiPolicy(cfg.scaledapi));
    }

    /** Ours over the families' targets, everything else as shipped: ours tuned with the same hindsight. */
    static List<Candidate> oursFamily(SimulationConfig cfg) {
        List<Candidate> family = new ArrayList<>();
        for (double target : TARGETS) {
            SimulationConfig.ScaledApi tuned = copy(cfg.scaledapi, SimulationConfig.ScaledApi.class);
            tuned.targetRequestsPerSecond = target;
            family.add(new Candidate(OURS_TUNED, Map.of("target", target), seed -> new ScaledApiPolicy(tuned)));
        }
        return family;
    }

    static final String OURS_TUNED = "oursTuned";

    /** Scores every candidate on every trace over seeds 1..n, on {@code threads} threads; the report as a map. */
    static Map<String, Object> run(List<Trace> traces, SimulationConfig cfg, int seeds, double[] weights, int threads)
            throws InterruptedException, ExecutionException {
        List<Candidate> candidates = new ArrayList<>();
        candidates.add(ours(cfg));
        candidates.addAll(hpaFamily(cfg));
        candidates.addAll(kpaFamily(cfg));
        candidates.addAll(oursFamily(cfg));
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            // One task per trace and seed: the simulator (its arrivals) is built once and every candidate replays it.
            List<List<Future<SeedRun>>> futures = new ArrayList<>();
            for (Trace trace : traces) {
                List<Future<SeedRun>> perSeed = new ArrayList<>();
                for (long seed = 1; seed <= seeds; seed++) {
                    long s = seed;
                    perSeed.add(pool.submit(() -> {
                        FleetSimulator simulator = new FleetSimulator(cfg.fleet, trace, s);
                        List<PolicyReport> reports = new ArrayList<>();
                        for (Candidate c : candidates) {
                            reports.add(simulator.run(c.factory().create(s), false));
                        }
                        int min = cfg.scaledapi.minReplicas;
                        int max = cfg.scaledapi.maxReplicas;
                        ClairvoyantBound bound = ClairvoyantBound.of(simulator, min, max);
                        List<PolicyReport> schedules = new ArrayList<>();
                        for (int extra : ClairvoyantSchedule.EXTRA_LEADS) {
                            for (double margin : ClairvoyantSchedule.MARGINS) {
                                int lookahead = ClairvoyantSchedule.slowestStartup(cfg.fleet) + extra;
                                schedules.add(simulator.run(
                                        new ClairvoyantSchedule(bound, lookahead, margin, min, max), false));
                            }
                        }
                        return new SeedRun(reports, bound, schedules);
                    }));
                }
                futures.add(perSeed);
            }
            List<Object> traceReports = new ArrayList<>();
            for (int t = 0; t < traces.size(); t++) {
                List<SeedRun> bySeed = new ArrayList<>();
                for (Future<SeedRun> f : futures.get(t)) {
                    bySeed.add(f.get());
                }
                traceReports.add(traceReport(traces.get(t), candidates, bySeed, weights));
            }
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("weights", weightsList(weights));
            report.put("seeds", seeds);
            report.put("traces", traceReports);
            return report;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One seed's run of every candidate on one trace, the clairvoyant bound on the same arrivals, and the clairvoyant
     * schedule's runs, one per lookahead ({@link ClairvoyantSchedule#EXTRA_LEADS}) and margin.
     */
    record SeedRun(List<PolicyReport> reports, ClairvoyantBound bound, List<PolicyReport> schedules) {}

    private static Map<String, Object> traceReport(
            Trace trace, List<Candidate> candidates, List<SeedRun> bySeed, double[] weights) {
        List<Score> scores = new ArrayList<>();
        for (int c = 0; c < candidates.size(); c++) {
            double cost = 0, bad = 0, events = 0, reversals = 0, whileScaling = 0, blind = 0;
            int maxEvents = 0;
            for (SeedRun run : bySeed) {
                PolicyReport r = run.reports().get(c);
                cost += r.replicaSeconds();
                bad += r.badSeconds();
                events += r.scaleEvents();
                reversals += r.reversals();
                whileScaling += r.reversalsWhileScaling();
                blind += r.blindTicks();
                maxEvents = Math.max(maxEvents, r.scaleEvents());
            }
            int n = bySeed.size();
            scores.add(new Score(cost / n, bad / n, events / n, reversals / n, maxEvents, whileScaling / n, blind / n));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("trace", trace.name());
        out.put("stationary", trace.stationary());
        double boundSeconds = 0, unavoidable = 0;
        for (SeedRun run : bySeed) {
            boundSeconds += run.bound().replicaSeconds();
            unavoidable += run.bound().unavoidableBad();
        }
        Score bound = new Score(boundSeconds / bySeed.size(), unavoidable / bySeed.size(), 0, 0, 0, 0, 0);
        Map<String, Object> oracle = new LinkedHashMap<>();
        oracle.put("replicaSeconds", round(bound.replicaSeconds()));
        oracle.put("unavoidableBadSeconds", round(bound.badSeconds()));
        oracle.put("J", costs(bound, weights));
        out.put("oracle", oracle);
        // The clairvoyant schedule, its lookahead and margin picked per weight with hindsight, as the families' knobs
        // are.
        List<Score> schedules = new ArrayList<>();
        int margins = ClairvoyantSchedule.MARGINS.length;
        for (int k = 0; k < ClairvoyantSchedule.EXTRA_LEADS.length * margins; k++) {
            double cost = 0, bad = 0;
            for (SeedRun run : bySeed) {
                cost += run.schedules().get(k).replicaSeconds();
                bad += run.schedules().get(k).badSeconds();
            }
            schedules.add(new Score(cost / bySeed.size(), bad / bySeed.size(), 0, 0, 0, 0, 0));
        }
        Map<String, Object> clairvoyant = new LinkedHashMap<>();
        Map<String, Object> scheduleJ = new LinkedHashMap<>();
        Map<String, Object> scheduleLead = new LinkedHashMap<>();
        Map<String, Object> scheduleMargin = new LinkedHashMap<>();
        for (double w : weights) {
            int best = 0;
            for (int k = 1; k < schedules.size(); k++) {
                if (schedules.get(k).cost(w) < schedules.get(best).cost(w)) {
                    best = k;
                }
            }
            scheduleJ.put(key(w), round(schedules.get(best).cost(w)));
            scheduleLead.put(key(w), ClairvoyantSchedule.EXTRA_LEADS[best / margins]);
            scheduleMargin.put(key(w), ClairvoyantSchedule.MARGINS[best % margins]);
        }
        clairvoyant.put("J", scheduleJ);
        clairvoyant.put("extraLeadSeconds", scheduleLead);
        clairvoyant.put("margin", scheduleMargin);
        out.put("clairvoyant", clairvoyant);
        Score ours = scores.get(0);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("replicaSeconds", round(ours.replicaSeconds()));
        o.put("badSeconds", round(ours.badSeconds()));
        o.put("scaleEvents", round(ours.scaleEvents()));
        o.put("maxScaleEvents", ours.maxScaleEvents());
        o.put("reversals", round(ours.reversals()));
        o.put("reversalsWhileScaling", round(ours.reversalsWhileScaling()));
        o.put("blindTicks", round(ours.blindTicks()));
        o.put("J", costs(ours, weights));
        o.put("toOracle", ratios(ours, bound, weights));
        out.put("ours", o);
        for (String family : List.of("hpa", "kpa", OURS_TUNED)) {
            Map<String, Object> fam = new LinkedHashMap<>();
            Map<String, Object> j = new LinkedHashMap<>();
            Map<String, Object> best = new LinkedHashMap<>();
            Map<String, Object> toOracle = new LinkedHashMap<>();
            int members = 0;
            for (double w : weights) {
                int bestIndex = -1;
                for (int c = 1; c < candidates.size(); c++) {
                    if (candidates.get(c).family().equals(family)
                            && (bestIndex < 0
                                    || scores.get(c).cost(w)
                                            < scores.get(bestIndex).cost(w))) {
                        bestIndex = c;
                    }
                }
                Score s = scores.get(bestIndex);
                j.put(key(w), round(s.cost(w)));
                toOracle.put(key(w), ratio(s.cost(w), bound.cost(w)));
                Map<String, Object> b =
                        new LinkedHashMap<>(candidates.get(bestIndex).knobs());
                b.put("replicaSeconds", round(s.replicaSeconds()));
                b.put("badSeconds", round(s.badSeconds()));
                b.put("reversalsWhileScaling", round(s.reversalsWhileScaling()));
                b.put("blindTicks", round(s.blindTicks()));
                best.put(key(w), b);
            }
            for (Candidate c : candidates) {
                members += c.family().equals(family) ? 1 : 0;
            }
            fam.put("configs", members);
            fam.put("J", j);
            fam.put("toOracle", toOracle);
            fam.put("best", best);
            out.put(family, fam);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static String table(Map<String, Object> report, double[] weights) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%-22s %5s %10s %10s %10s  %-8s %8s %7s %10s %10s %10s %6s%n",
                "trace",
                "w",
                "ours J",
                "hpa J",
                "kpa J",
                "ours<=?",
                "C ours",
                "B ours",
                "ours* J",
                "bound J",
                "sched J",
                "ours/b"));
        int losses = 0;
        int tunedLosses = 0;
        for (Object t : (List<Object>) report.get("traces")) {
            Map<String, Object> tr = (Map<String, Object>) t;
            Map<String, Object> ours = (Map<String, Object>) tr.get("ours");
            for (double w : weights) {
                double o = ((Number) ((Map<String, Object>) ours.get("J")).get(key(w))).doubleValue();
                double h = jOf(tr, "hpa", w);
                double k = jOf(tr, "kpa", w);
                boolean wins = o <= h && o <= k;
                losses += wins ? 0 : 1;
                double tuned = tr.containsKey(OURS_TUNED) ? jOf(tr, OURS_TUNED, w) : Double.NaN;
                tunedLosses += tuned <= h && tuned <= k ? 0 : 1;
                double bound = ((Number)
                                ((Map<String, Object>) ((Map<String, Object>) tr.get("oracle")).get("J")).get(key(w)))
                        .doubleValue();
                b.append(String.format(
                        Locale.ROOT,
                        "%-22s %5s %10.0f %10.0f %10.0f  %-8s %8.0f %7.1f %10.0f %10.0f %10.0f %6.2f%n",
                        tr.get("trace"),
                        key(w),
                        o,
                        h,
                        k,
                        wins ? "yes" : o > h && o > k ? "NO both" : o > h ? "NO hpa" : "NO kpa",
                        ((Number) ours.get("replicaSeconds")).doubleValue(),
                        ((Number) ours.get("badSeconds")).doubleValue(),
                        tuned,
                        bound,
                        ((Number) ((Map<String, Object>) ((Map<String, Object>) tr.get("clairvoyant")).get("J"))
                                        .get(key(w)))
                                .doubleValue(),
                        o / bound));
            }
            if (Boolean.TRUE.equals(tr.get("stationary")) && ((Number) ours.get("maxScaleEvents")).intValue() > 0) {
                b.append(String.format(
                        Locale.ROOT,
                        "%-22s stationary, yet ours scaled %s times in one seed%n",
                        tr.get("trace"),
                        ours.get("maxScaleEvents")));
                losses++;
            }
        }
        b.append(String.format(Locale.ROOT, "%d of the bar's comparisons lost%n", losses));
        b.append(blindAndReversals(report, weights));
        b.append(String.format(
                Locale.ROOT, "ours* (its target tuned with the families' hindsight): %d of them lost%n", tunedLosses));
        return b.toString();
    }

    /**
     * Blind ticks and reversals while scaling, summed over the traces (means over the seeds): ours, and each family's
     * best configuration at the middle weight.
     */
    @SuppressWarnings("unchecked")
    static String blindAndReversals(Map<String, Object> report, double[] weights) {
        String w = key(weights[weights.length / 2]);
        Map<String, double[]> totals = new LinkedHashMap<>();
        for (Object t : (List<Object>) report.get("traces")) {
            Map<String, Object> tr = (Map<String, Object>) t;
            Map<String, Object> ours = (Map<String, Object>) tr.get("ours");
            add(totals, "ours", ours);
            for (String family : List.of("hpa", "kpa", OURS_TUNED)) {
                add(totals, family, (Map<String, Object>)
                        ((Map<String, Object>) ((Map<String, Object>) tr.get(family)).get("best")).get(w));
            }
        }
        StringBuilder b = new StringBuilder(
                "blind ticks / reversals while scaling, over all traces (families: best at w = " + w + "):");
        totals.forEach((policy, v) -> b.append(String.format(Locale.ROOT, " %s %.1f / %.1f;", policy, v[0], v[1])));
        return b.append(System.lineSeparator()).toString();
    }

    private static void add(Map<String, double[]> totals, String policy, Map<String, Object> figures) {
        double[] v = totals.computeIfAbsent(policy, p -> new double[2]);
        v[0] += ((Number) figures.get("blindTicks")).doubleValue();
        v[1] += ((Number) figures.get("reversalsWhileScaling")).doubleValue();
    }

    @SuppressWarnings("unchecked")
    private static double jOf(Map<String, Object> trace, String family, double w) {
        return ((Number) ((Map<String, Object>) ((Map<String, Object>) trace.get(family)).get("J")).get(key(w)))
                .doubleValue();
    }

    private static double ratio(double cost, double boundCost) {
        return Math.round(cost / boundCost * 1000) / 1000.0;
    }

    /** J as a multiple of the clairvoyant bound's, per weight. */
    private static Map<String, Object> ratios(Score s, Score bound, double[] weights) {
        Map<String, Object> r = new LinkedHashMap<>();
        for (double w : weights) {
            r.put(key(w), ratio(s.cost(w), bound.cost(w)));
        }
        return r;
    }

    private static Map<String, Object> costs(Score s, double[] weights) {
        Map<String, Object> j = new LinkedHashMap<>();
        for (double w : weights) {
            j.put(key(w), round(s.cost(w)));
        }
        return j;
    }

    private static List<Object> weightsList(double[] weights) {
        List<Object> list = new ArrayList<>();
        for (double w : weights) {
            list.add(w == Math.rint(w) ? (Object) (long) w : (Object) w);
        }
        return list;
    }

    static String key(double w) {
        return w == Math.rint(w) ? Long.toString((long) w) : Double.toString(w);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static <T> T copy(T value, Class<T> type) {
        ObjectMapper json = new ObjectMapper();
        return json.convertValue(json.convertValue(value, Map.class), type);
    }
}
