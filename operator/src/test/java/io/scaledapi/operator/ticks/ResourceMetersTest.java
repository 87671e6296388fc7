package io.scaledapi.operator.ticks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.HelmChart;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.metrics.ScrapeFailure;
import io.scaledapi.operator.status.Decisions;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The operator's per-ScaledApi series, and the chart's Grafana dashboard that queries them. */
public class ResourceMetersTest {

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Every figure reported once, so that every series exists. */
    ResourceMeters everythingReported(String namespace, String name) {
        ResourceMeters meters = new ResourceMeters(registry, namespace, name);
        Decision decision = new Decision(
                4,
                Decision.Mode.Burst,
                "burst",
                Decisions.rates(380, 420, 0.8, 0.5),
                true,
                "",
                null,
                Map.of(),
                null,
                Double.NaN);
        meters.decided(decision, 2_000_000, Duration.ofMillis(12_500));
        ScaledApiStatus status = new ScaledApiStatus();
        status.desiredReplicas = 4;
        status.replicas = 3;
        status.readyReplicas = 2;
        status.mode = "Burst";
        meters.shown(status, ScaledApiSpec.UpdateMode.Recommend);
        meters.scaled(true);
        meters.scaled(true);
        meters.scrapeFailed(ScrapeFailure.TIMEOUT);
        return meters;
    }

    @Test
    void eachResourceHasItsSeriesUnderPrometheusNamesAndTheyGoWithIt() {
        ResourceMeters shop = everythingReported("team-a", "shop");
        ResourceMeters other = new ResourceMeters(registry, "team-b", "other");
        String text = registry.scrape();
        assertThat(sample(text, "scaledapi_replicas", "team-a", "shop", "state=\"desired\""))
                .isEqualTo(4);
        assertThat(sample(text, "scaledapi_replicas", "team-a", "shop", "state=\"current\""))
                .isEqualTo(3);
        assertThat(sample(text, "scaledapi_replicas", "team-a", "shop", "state=\"ready\""))
                .isEqualTo(2);
        assertThat(sample(text, "scaledapi_request_rate", "team-a", "shop", "window=\"stable\""))
                .isEqualTo(380);
        assertThat(sample(text, "scaledapi_request_rate", "team-a", "shop", "window=\"burst\""))
                .isEqualTo(420);
        assertThat(sample(text, "scaledapi_cache_hit_ratio", "team-a", "shop", ""))
                .isEqualTo(0.8);
        assertThat(sample(text, "scaledapi_shared_cache_hit_ratio", "team-a", "shop", ""))
                .isEqualTo(0.5);
        assertThat(sample(text, "scaledapi_pod_startup_seconds", "team-a", "shop", ""))
                .isEqualTo(12.5);
        assertThat(sample(text, "scaledapi_mode", "team-a", "shop", "mode=\"Burst\""))
                .isEqualTo(1);
        assertThat(sample(text, "scaledapi_mode", "team-a", "shop", "mode=\"Stable\""))
                .isEqualTo(0);
        assertThat(sample(text, "scaledapi_update_mode", "team-a", "shop", "update_mode=\"Recommend\""))
                .isEqualTo(1);
        assertThat(sample(text, "scaledapi_update_mode", "team-a", "shop", "update_mode=\"Auto\""))
                .isEqualTo(0);
        assertThat(sample(text, "scaledapi_scale_events_total", "team-a", "shop", "direction=\"up\""))
                .isEqualTo(2);
        assertThat(sample(text, "scaledapi_scale_events_total", "team-a", "shop", "direction=\"down\""))
                .isEqualTo(0);
        assertThat(sample(text, "scaledapi_scrape_errors_total", "team-a", "shop", "reason=\"timeout\""))
                .isEqualTo(1);
        assertThat(sample(text, "scaledapi_decision_duration_seconds_count", "team-a", "shop", ""))
                .isEqualTo(1);
        assertThat(sample(text, "scaledapi_decision_duration_seconds_sum", "team-a", "shop", ""))
                .isEqualTo(0.002);
        // Not known yet is NaN, never 0: no decision, no rate.
        assertThat(sample(text, "scaledapi_request_rate", "team-b", "other", "window=\"stable\""))
                .isNaN();
        assertThat(sample(text, "scaledapi_replicas", "team-b", "other", "state=\"desired\""))
                .isNaN();

        shop.close();
        shop.scrapeFailed(ScrapeFailure.CONNECTION); // a tick finishing after the resource went: no series comes back
        text = registry.scrape();
        assertThat(text).doesNotContain("name=\"shop\"").contains("name=\"other\"");
        other.close();
        assertThat(registry.scrape()).doesNotContain("scaledapi_");
    }

    @Test
    void theChartsDashboardIsValidJsonAndQueriesOnlyWhatTheOperatorExports() throws Exception {
        String rendered = HelmChart.template("monitoring", "dashboards.enabled=true");
        ConfigMap dashboardMap = Arrays.stream(rendered.split("(?m)^---$"))
                .filter(d -> d.contains("kind: ConfigMap"))
                .map(d -> Serialization.unmarshal(d, ConfigMap.class))
                .filter(c -> c.getMetadata().getName().endsWith("-dashboard"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no dashboard ConfigMap"));
        assertThat(dashboardMap.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(HelmChart.template("monitoring")).doesNotContain("-dashboard");

        JsonNode dashboard = new ObjectMapper().readTree(dashboardMap.getData().get("scaledapi.json"));
        List<String> queries =
                dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        Set<String> queried = new TreeSet<>();
        queries.forEach(q -> queried.addAll(metricNames(q)));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher labelValues = Pattern.compile("label_values\\((.*),\\s*\\w+\\)")
                    .matcher(variable.path("definition").asText());
            if (labelValues.matches()) {
                queried.addAll(metricNames(labelValues.group(1)));
            }
        }
        String panelTitles = dashboard.findValues("title").toString();
        assertThat(panelTitles)
                .contains("Request rate and replicas", "Cache hit ratio", "Mode", "Scale events", "Scrape errors");

        everythingReported("team-a", "shop");
        Set<String> exported = new HashSet<>();
        registry.scrape()
                .lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank())
                .forEach(l -> exported.add(l.split("[{ ]", 2)[0]));
        assertThat(queried)
                .as("metrics the dashboard queries")
                .isNotEmpty()
                .contains(
                        "scaledapi_request_rate",
                        "scaledapi_replicas",
                        "scaledapi_cache_hit_ratio",
                        "scaledapi_mode",
                        "scaledapi_scale_events_total",
                        "scaledapi_scrape_errors_total");
        assertThat(exported).as("the operator's series").containsAll(queried);
    }

    @Test
    void metricNamesAreReadFromPromQl() {
        assertThat(metricNames("sum by (namespace, name) (rate(a_total{x=\"y\", n=~\"$name\"}[$__rate_interval])) / b"))
                .containsExactlyInAnyOrder("a_total", "b");
        assertThat(metricNames("max(c) + 2 * max without (mode) (d{mode=\"Burst\"}) == 1"))
                .containsExactlyInAnyOrder("c", "d");
    }

    /** The metric names a PromQL expression reads: identifiers outside label matchers, ranges and groupings that are not calls. */
    static Set<String> metricNames(String expr) {
        String bare = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("(?<![\\w$])[a-zA-Z_:][a-zA-Z0-9_:]*+(?!\\s*\\()")
                .matcher(bare);
        while (m.find()) {
            if (!Set.of("and", "or", "unless", "bool", "offset").contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    public static double sample(String text, String name, String namespace, String resource, String label) {
        return text.lines()
                .filter(l -> l.startsWith(name + "{")
                        && l.contains("namespace=\"" + namespace + "\"")
                        && l.contains("name=\"" + resource + "\"")
                        && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " " + label + " of " + resource + " in\n" + text));
    }
}
