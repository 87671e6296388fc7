package io.scaledapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkTest {

    static final Trace FLASH = Trace.parse("flash", "0,300\n100,300\n103,2400\n140,2400\n150,300\n400,300\n");

    @Test
    void eachFamilyIsScoredByItsBestConfigurationPerWeight() throws Exception {
        SimulationConfig cfg = new SimulationConfig();
        double[] weights = {10, 100};
        JsonNode report = new ObjectMapper().valueToTree(Benchmark.run(List.of(FLASH), cfg, 2, weights, 2));
        assertThat(report.get("weights").toString()).isEqualTo("[10,100]");
        assertThat(report.get("seeds").asInt()).isEqualTo(2);
        JsonNode trace = report.get("traces").get(0);
        assertThat(trace.get("trace").asText()).isEqualTo("flash");
        assertThat(trace.get("hpa").get("configs").asInt()).isEqualTo(60);
        assertThat(trace.get("kpa").get("configs").asInt()).isEqualTo(45);
        assertThat(trace.get("oursTuned").get("configs").asInt()).isEqualTo(5);

        // Ours: J(w) = C + w B of the mean over the seeds, from the very runs a simulation gives.
        double c = 0, b = 0;
        for (long seed = 1; seed <= 2; seed++) {
            PolicyReport r = new FleetSimulator(cfg.fleet, FLASH, seed).run(new ScaledApiPolicy(cfg.scaledapi), false);
            c += r.replicaSeconds() / 2.0;
            b += r.badSeconds() / 2.0;
        }
        JsonNode ours = trace.get("ours");
        assertThat(ours.get("replicaSeconds").asDouble()).isCloseTo(c, within(0.05));
        assertThat(ours.get("J").get("100").asDouble()).isCloseTo(c + 100 * b, within(0.1));

        // A family's J is no worse than any one member's: here the upstream defaults at a 550 req/s target.
        for (double w : weights) {
            String key = Benchmark.key(w);
            assertThat(trace.get("hpa").get("J").get(key).asDouble())
                    .isLessThanOrEqualTo(mean(FLASH, cfg, "hpa", w) + 0.1);
            assertThat(trace.get("kpa").get("J").get(key).asDouble())
                    .isLessThanOrEqualTo(mean(FLASH, cfg, "kpa", w) + 0.1);
            assertThat(trace.get("oursTuned").get("J").get(key).asDouble())
                    .isLessThanOrEqualTo(mean(FLASH, cfg, "ours", w) + 0.1);
            JsonNode best = trace.get("hpa").get("best").get(key);
            assertThat(best.get("replicaSeconds").asDouble()
                            + w * best.get("badSeconds").asDouble())
                    .isCloseTo(trace.get("hpa").get("J").get(key).asDouble(), within(0.2));
            assertThat(best.has("target") && best.has("metric") && best.has("rateWindowSeconds"))
                    .isTrue();
        }
        // Deterministic.
        JsonNode again = new ObjectMapper().valueToTree(Benchmark.run(List.of(FLASH), cfg, 2, weights, 1));
        assertThat(again).isEqualTo(report);
        @SuppressWarnings("unchecked")
        String table = Benchmark.table(new ObjectMapper().convertValue(report, Map.class), weights);
        assertThat(table).contains("flash").contains("comparisons lost").contains("ours* (its target tuned");
    }

    private static double mean(Trace trace, SimulationConfig cfg, String family, double w) {
        SimulationConfig.Hpa hpa = new SimulationConfig.Hpa();
        hpa.targetRequestsPerSecond = 550; // 300 s down window, 2m rate window, pods metric: the swept values
        SimulationConfig.Kpa kpa = new SimulationConfig.Kpa();
        kpa.targetRequestsPerSecond = 550; // 60 s stable window, panic threshold 2
        SimulationConfig.ScaledApi ours = new SimulationConfig.ScaledApi();
        ours.targetRequestsPerSecond = 550;
        double j = 0;
        for (long seed = 1; seed <= 2; seed++) {
            Policy p = switch (family) {
                case "hpa" -> new HpaPolicy(hpa, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas, seed);
                case "kpa" -> new KpaPolicy(kpa, cfg.scaledapi.minReplicas, cfg.scaledapi.maxReplicas);
                default -> new ScaledApiPolicy(ours);
            };
            j += new FleetSimulator(cfg.fleet, trace, seed).run(p, false).cost(w) / 2;
        }
        return j;
    }

    @Test
    void aScaledApiManifestIsSimulatedAsTheOperatorWouldRunIt(@TempDir Path dir) throws Exception {
        Path manifest = dir.resolve("api.yaml");
        Files.writeString(manifest, """
                apiVersion: scaledapi.io/v1alpha1
                kind: ScaledApi
                metadata:
                  name: shop
                spec:
                  image: shop:1
                  cache:
                    ttl: 30s
                  replicas:
                    min: 2
                    max: 6
                  scaling:
                    targetRequestsPerSecond: 500
                    scaleDown:
                      stabilizationWindow: 120s
                """);
        ScaledApiManifest m = ScaledApiManifest.read(manifest);
        var policy = m.policy();
        assertThat(policy.minReplicas()).isEqualTo(2);
        assertThat(policy.maxReplicas()).isEqualTo(6);
        assertThat(policy.target().requestsPerSecond()).isEqualTo(500);
        assertThat(policy.down().stabilization()).hasSeconds(120);
        assertThat(policy.down().maxPercent()).isEqualTo(50); // the default where the manifest is silent
        SimulationConfig cfg = new SimulationConfig();
        m.applyTo(cfg);
        assertThat(cfg.fleet.cacheTtlSeconds).isEqualTo(30);
        assertThat(cfg.scaledapi.maxReplicas).isEqualTo(6);
        // On a load that needs 8 at 500 each, the manifest's maximum holds.
        Trace heavy = Trace.parse("heavy", "0,4000\n300,4000\n");
        PolicyReport r = new FleetSimulator(cfg.fleet, heavy, 1).run(new ScaledApiPolicy(policy, true));
        assertThat(r.replicaSeconds()).isLessThanOrEqualTo(6L * 300);

        Path broken = dir.resolve("broken.yaml");
        Files.writeString(
                broken,
                "apiVersion: scaledapi.io/v1alpha1\nkind: ScaledApi\nmetadata:\n  name: x\nspec:\n  image: x\n");
        assertThatThrownBy(() -> ScaledApiManifest.read(broken)).hasMessageContaining("spec.replicas and spec.scaling");
    }
}
