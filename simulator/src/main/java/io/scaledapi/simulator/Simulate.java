package io.scaledapi.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.scaledapi.autoscaler.ScalingPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code dev/simulate --trace FILE [--config FILE] [--seed N] [--scaledapi MANIFEST] [--policies scaledapi,hpa,kpa] [--timeline FILE]}: replays a trace through
 * the policies on the same fleet and prints one JSON object.
 */
public final class Simulate {

    private static final Usage USAGE = new Usage(
            "simulate",
            "dev/simulate --trace FILE [--config FILE] [--scaledapi MANIFEST] [--seed N] [--policies scaledapi,hpa,kpa] [--timeline FILE]");

    private Simulate() {}

    public static void main(String[] args) throws Exception {
        Path trace = null;
        Path config = null;
        Path scaledApi = null;
        long seed = 1;
        List<String> policies = List.of("scaledapi", "hpa", "kpa");
        Path timeline = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--trace" -> trace = Path.of(USAGE.value(args[i], value));
                case "--config" -> config = Path.of(USAGE.value(args[i], value));
                case "--scaledapi" -> scaledApi = Path.of(USAGE.value(args[i], value));
                case "--seed" -> seed = Long.parseLong(USAGE.value(args[i], value));
                case "--policies" ->
                    policies = List.of(USAGE.value(args[i], value).split(","));
                case "--timeline" -> timeline = Path.of(USAGE.value(args[i], value));
                default -> USAGE.fail("unknown argument " + args[i]);
            }
            i++;
        }
        if (trace == null) {
            USAGE.fail("--trace is required");
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        SimulationConfig cfg = config == null
                ? new SimulationConfig()
                : json.readValue(Files.readString(config), SimulationConfig.class);
        ScalingPolicy ours = null;
        if (scaledApi != null) {
            ScaledApiManifest manifest = ScaledApiManifest.read(scaledApi);
            ours = manifest.policy();
            manifest.applyTo(cfg);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("trace", trace.getFileName().toString());
        out.put("seed", seed);
        out.put("policies", run(Trace.read(trace), cfg, ours, seed, policies, timeline));
        System.out.println(json.writeValueAsString(out));
    }

    /** Each named policy's report on the trace, in the order given. */
    public static Map<String, PolicyReport> run(Trace trace, SimulationConfig cfg, long seed, List<String> names) {
        try {
            return run(trace, cfg, null, seed, names, null);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** As {@link #run(Trace, SimulationConfig, long, List)}; with a timeline file, each second of each policy as CSV. */
    static Map<String, PolicyReport> run(
            Trace trace, SimulationConfig cfg, ScalingPolicy ours, long seed, List<String> names, Path timeline)
            throws java.io.IOException {
        List<String> rows = new ArrayList<>();
        rows.add("policy,second,arrivals,pods,ready,readyCapacity,served,failed,slowShare,bad");
        FleetSimulator simulator = new FleetSimulator(cfg.fleet, trace, seed);
        Map<String, PolicyReport> reports = new LinkedHashMap<>();
        for (String name : new ArrayList<>(names)) {
            Policy policy = switch (name.strip()) {
                case "scaledapi" ->
                    ours != null
                            ? new ScaledApiPolicy(ours, cfg.scaledapi.podsCountArrivals)
                            : new ScaledApiPolicy(cfg.scaledapi);
                case "hpa" -> new HpaPolicy(cfg.hpa, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas, seed);
                case "kpa" -> new KpaPolicy(cfg.kpa, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas);
                default ->
                    throw new IllegalArgumentException("unknown policy '" + name + "': use scaledapi, hpa or kpa");
            };
            String prefix = policy.name() + ",";
            reports.put(
                    policy.name(),
                    simulator.run(policy, true, timeline == null ? null : row -> rows.add(prefix + row)));
        }
        if (timeline != null) {
            java.nio.file.Files.write(timeline, rows);
        }
        return reports;
    }
}
