package io.scaledapi.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scaledapi.autoscaler.PodCounters;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusTextTest {

    static final String SAMPLE_API = """
            # HELP http_server_requests_seconds
            # TYPE http_server_requests_seconds summary
            http_server_requests_seconds_count{error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="/api/items/{id}"} 1200
            http_server_requests_seconds_sum{error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="/api/items/{id}"} 2.4
            http_server_requests_seconds_count{error="none",exception="none",method="GET",outcome="CLIENT_ERROR",status="404",uri="/api/items/{id}"} 30
            http_server_requests_seconds_sum{error="none",exception="none",method="GET",outcome="CLIENT_ERROR",status="404",uri="/api/items/{id}"} 0.03
            http_server_requests_seconds_count{error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="/actuator/prometheus"} 500
            http_server_requests_seconds_sum{error="none",exception="none",method="GET",outcome="SUCCESS",status="200",uri="/actuator/prometheus"} 9.0
            # HELP cache_gets_total
            # TYPE cache_gets_total counter
            cache_gets_total{cache="catalog",result="hit"} 1100.0
            cache_gets_total{cache="catalog",result="miss"} 100.0
            cache_gets_total{cache="relay",result="hit"} 10.0
            """;

    @Test
    void readsTheCountersSummedOverLabelSetsWithoutTheActuatorsOwnTraffic() {
        PodCounters c = new PodCountersReader("http_server_requests_seconds_count").read(SAMPLE_API);
        assertThat(c.requests()).isEqualTo(1230);
        assertThat(c.durationSum()).isCloseTo(2.43, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.durationCount()).isEqualTo(1230);
        assertThat(c.cacheHits()).isEqualTo(1110);
        assertThat(c.cacheMisses()).isEqualTo(100);
    }

    @Test
    void theProcessCpuTimeIsReadUnderEitherName() {
        PodCountersReader reader = new PodCountersReader("http_server_requests_seconds_count");
        assertThat(reader.read(SAMPLE_API).cpuSeconds()).as("not exported").isNaN();
        assertThat(reader.read(SAMPLE_API + "process_cpu_time_ns_total 2.5E9\n").cpuSeconds())
                .as("Micrometer's")
                .isEqualTo(2.5);
        assertThat(reader.read(SAMPLE_API + "process_cpu_seconds_total 3.25\nprocess_cpu_time_ns_total 2.5E9\n")
                        .cpuSeconds())
                .as("the Prometheus clients' name wins")
                .isEqualTo(3.25);
    }

    @Test
    void arrivalsAndShedRequestsAreReadWhereThePodCountsThem() {
        PodCountersReader reader = new PodCountersReader("http_server_requests_seconds_count");
        PodCounters counted = reader.read(SAMPLE_API + """
                # TYPE http_server_arrivals_total counter
                http_server_arrivals_total 1500.0
                # TYPE http_server_shed_total counter
                http_server_shed_total 240.0
                # TYPE http_server_unread gauge
                http_server_unread 35.0
                """);
        assertThat(counted.requests()).isEqualTo(1230);
        assertThat(counted.arrivals()).isEqualTo(1500);
        assertThat(counted.shed()).isEqualTo(240);
        assertThat(counted.unread()).isEqualTo(35);
        PodCounters unknownBacklog =
                reader.read(SAMPLE_API + "http_server_arrivals_total 1500.0\nhttp_server_unread NaN\n");
        assertThat(unknownBacklog.isValid())
                .as("a gauge the pod could not read is unknown, not garbage")
                .isTrue();
        assertThat(unknownBacklog.unread()).isNaN();
        PodCounters served = reader.read(SAMPLE_API);
        assertThat(served.arrivals())
                .as("not exported: the served counter stays the measure")
                .isNaN();
        assertThat(served.shed()).isNaN();
        assertThat(served.unread()).isNaN();
        assertThat(reader.read(SAMPLE_API + "http_server_arrivals_total -3\n").isValid())
                .as("a negative counter is garbage")
                .isFalse();
    }

    @Test
    void theSharedTiersGetsAreCountedApartFromThePodsOwnCache() {
        PodCounters c = new PodCountersReader("http_server_requests_seconds_count").read(SAMPLE_API + """
                cache_gets_total{cache="shared",result="hit"} 80.0
                cache_gets_total{cache="shared",result="miss"} 20.0
                """);
        assertThat(c.cacheHits()).isEqualTo(1110);
        assertThat(c.cacheMisses()).isEqualTo(100);
        assertThat(c.sharedHits()).isEqualTo(80);
        assertThat(c.sharedMisses()).isEqualTo(20);
        assertThat(new PodCountersReader("http_server_requests_seconds_count")
                        .read(SAMPLE_API)
                        .sharedHits())
                .as("no shared tier")
                .isNaN();
    }

    @Test
    void aMissingCounterIsAnErrorThatNamesIt() {
        assertThatThrownBy(() -> new PodCountersReader("my_requests_total").read(SAMPLE_API))
                .hasMessageContaining("my_requests_total");
    }

    @Test
    void withoutCacheSeriesTheHitRatioIsUnknown() {
        PodCounters c = new PodCountersReader("requests").read("requests_total 5\n");
        assertThat(c.requests()).isEqualTo(5);
        assertThat(c.cacheHits()).isNaN();
        assertThat(c.durationSum()).isNaN();
    }

    @Test
    void escapedLabelValuesExemplarsTimestampsAndSpecialValues() {
        var parsed = PrometheusText.parse("""
                a{path="C:\\\\dir",quote="say \\"hi\\"",nl="x\\ny"} 1
                b_total{le="+Inf"} 2 1700000000000
                c_total 3.5 # {trace_id="abc123"} 1.0 1700000000.123
                d NaN
                e +Inf
                f -Inf
                g 1.5e3
                """);
        assertThat(parsed.badLines()).isZero();
        assertThat(parsed.samples()).hasSize(7);
        assertThat(parsed.samples().get(0).labels())
                .isEqualTo(Map.of("path", "C:\\dir", "quote", "say \"hi\"", "nl", "x\ny"));
        assertThat(parsed.samples().get(1).value()).isEqualTo(2);
        assertThat(parsed.samples().get(2).value()).isEqualTo(3.5);
        assertThat(parsed.samples().get(3).value()).isNaN();
        assertThat(parsed.samples().get(4).value()).isInfinite();
        assertThat(parsed.samples().get(6).value()).isEqualTo(1500);
    }

    @Test
    void crlfLineEndsAndOpenMetricsEof() {
        var parsed = PrometheusText.parse("# TYPE x counter\r\nx_total 4\r\ny 2\r\n# EOF");
        assertThat(parsed.samples()).extracting(PrometheusText.Sample::name).containsExactly("x_total", "y");
        assertThat(parsed.complete()).isTrue();
    }

    @Test
    void aTruncatedBodyDropsItsLastLineInsteadOfMisreadingIt() {
        var parsed = PrometheusText.parse("a 1\nb 2\nhttp_server_requests_seconds_count{uri=\"/x\"} 12");
        assertThat(parsed.samples()).extracting(PrometheusText.Sample::name).containsExactly("a", "b");
        assertThat(parsed.badLines()).isEqualTo(1);
        assertThat(parsed.complete()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{a=\"b\"} 1",
                "x{a=\"b} 1",
                "x{a=b} 1",
                "x{=\"b\"} 1",
                "x abc",
                "x",
                "x 1 2 3",
                "x 1 notatime",
                "x{a=\"b\" 1",
                "9x 1"
            })
    void garbageLinesAreSkippedAndCounted(String line) {
        var parsed = PrometheusText.parse("ok 1\n" + line + "\n");
        assertThat(parsed.samples()).extracting(PrometheusText.Sample::name).containsExactly("ok");
        assertThat(parsed.badLines()).isEqualTo(1);
    }
}
