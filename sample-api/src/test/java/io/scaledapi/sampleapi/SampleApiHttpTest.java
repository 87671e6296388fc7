package io.scaledapi.sampleapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The whole app on a random port on 127.0.0.1, with a real upstream for relay mode and a hand-moved cache clock. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"server.address=127.0.0.1", "origin.latency=30ms", "cache.ttl=60s", "cache.stale-if-error=5m"})
class SampleApiHttpTest {

    private static final UpstreamStub upstream = startUpstream();
    private static final JsonMapper json = new JsonMapper();

    @TestConfiguration
    static class ClockConfiguration {
        @Bean
        @Primary
        ManualTicker manualTicker() {
            return new ManualTicker();
        }
    }

    @DynamicPropertySource
    static void upstreamUrl(DynamicPropertyRegistry registry) {
        registry.add("upstream.url", () -> upstream.base().toString());
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ManualTicker ticker;

    HttpTestClient http;

    @BeforeEach
    void client() {
        http = new HttpTestClient(port, managementPort);
    }

    @AfterAll
    static void stopUpstream() {
        upstream.close();
    }

    @Test
    void itemMissThenHitThenMissAfterTheTtl() {
        double originCalls = originCalls();
        HttpResponse<String> miss = http.get("/api/items/101");
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(miss.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(json.readTree(miss.body()).get("id").asInt()).isEqualTo(101);

        ticker.advance(Duration.ofSeconds(20));
        HttpResponse<String> hit = http.get("/api/items/101");
        assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
        assertThat(hit.headers().firstValue("Cache-Control")).hasValue("max-age=40");
        assertThat(hit.headers().firstValue("Age")).hasValue("20");
        assertThat(hit.headers().firstValue("ETag"))
                .isEqualTo(miss.headers().firstValue("ETag"))
                .isPresent();
        assertThat(hit.body()).isEqualTo(miss.body());
        assertThat(originCalls() - originCalls).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(41));
        HttpResponse<String> expired = http.get("/api/items/101");
        assertThat(expired.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(expired.body()).isEqualTo(miss.body());
        assertThat(originCalls() - originCalls).isEqualTo(2);
    }

    @Test
    void aKeptAliveConnectionIsClosedAfterAHundredRequestsSoThatItsClientReconnects() {
        // Behind kube-proxy a connection stays on the pod it first reached: closing it lets new replicas take a share.
        assertThat(http.requestsOnOneConnection("/api/items/7", 150)).isEqualTo(100);
    }

    @Test
    void pagesAreServedAndCached() {
        HttpResponse<String> first = http.get("/api/items?page=3&size=25");
        assertThat(first.statusCode()).isEqualTo(200);
        JsonNode page = json.readTree(first.body());
        assertThat(page.get("items").size()).isEqualTo(25);
        assertThat(page.get("items").get(0).get("id").asInt()).isEqualTo(76);
        assertThat(http.get("/api/items?page=3&size=25").headers().firstValue("X-Cache"))
                .hasValue("HIT");
        assertThat(json.readTree(http.get("/api/items").body()).get("size").asInt())
                .isEqualTo(20);
    }

    @Test
    void concurrentMissesOnOneKeyMakeOneOriginCall() {
        double originCalls = originCalls();
        List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            requests.add(http.getAsync("/api/items/4242"));
        }
        List<String> bodies = requests.stream()
                .map(CompletableFuture::join)
                .map(HttpResponse::body)
                .distinct()
                .toList();
        assertThat(bodies).hasSize(1);
        assertThat(originCalls() - originCalls).isEqualTo(1);
    }

    @Test
    void ifNoneMatchGives304() {
        String etag = http.get("/api/items/77").headers().firstValue("ETag").orElseThrow();
        HttpResponse<String> notModified = http.get("/api/items/77", "If-None-Match", etag);
        assertThat(notModified.statusCode()).isEqualTo(304);
        assertThat(notModified.body()).isEmpty();
        assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
        assertThat(http.get("/api/items/77", "If-None-Match", "\"other\", W/" + etag)
                        .statusCode())
                .isEqualTo(304);
        assertThat(http.get("/api/items/77", "If-None-Match", "*").statusCode()).isEqualTo(304);
        assertThat(http.get("/api/items/77", "If-None-Match", "\"other\"").statusCode())
                .isEqualTo(200);
        assertThat(http.get("/api/items/78", "If-None-Match", etag).statusCode())
                .isEqualTo(200);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            /api/items/abc                    | 400
            /api/items/-1                     | 400
            /api/items/1.5                    | 400
            /api/items/99999999999999999999   | 400
            /api/items/%20                    | 400
            /api/items/0                      | 404
            /api/items/60001                  | 404
            /api/items?page=-1                | 400
            /api/items?page=abc               | 400
            /api/items?size=0                 | 400
            /api/items?size=101               | 400
            /api/items?size=ten               | 400
            /api/items?page=999999&size=100   | 404
            /api/nothing                      | 404
            /                                 | 404
            /actuator/env                     | 404
            /actuator/beans                   | 404
            /actuator                         | 404
            """)
    void badInputGetsAProblemBodyNeverA500(String path, int status) throws Exception {
        HttpResponse<String> response = http.get(path);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank();
    }

    @Test
    void otherMethodsAreRefusedWith405() {
        assertThat(http.rawStatus("POST", "/api/items/1")).isEqualTo(405);
        assertThat(http.rawStatus("DELETE", "/api/items")).isEqualTo(405);
    }

    @Test
    void overLongUrlsAndHeadersAreRefused() {
        assertThat(http.get("/api/items/" + "1".repeat(5000)).statusCode()).isEqualTo(414);
        assertThat(http.get("/api/items/1", "X-Padding", "p".repeat(10_000)).statusCode())
                .isEqualTo(431);
    }

    @Test
    void relayFetchesTheUpstreamAndHonoursMaxAge() {
        HttpResponse<String> miss = http.get("/relay/data/one?x=1");
        assertThat(miss.statusCode()).isEqualTo(200);
        assertThat(miss.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(miss.headers().firstValue("Cache-Control")).hasValue("max-age=5");
        assertThat(miss.body()).contains("\"path\":\"/base/data/one\"");
        assertThat(upstream.requestedPaths).contains("/base/data/one?x=1");

        assertThat(http.get("/relay/data/one?x=1").headers().firstValue("X-Cache"))
                .hasValue("HIT");
        assertThat(upstream.hits("/base/data/one")).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(6)); // past the upstream's max-age=5, well inside CACHE_TTL=60s
        assertThat(http.get("/relay/data/one?x=1").headers().firstValue("X-Cache"))
                .hasValue("MISS");
        assertThat(upstream.hits("/base/data/one")).isEqualTo(2);
    }

    @Test
    void relayNeverStoresNoStoreAnswersAndHandsOn404() {
        HttpResponse<String> first = http.get("/relay/nostore");
        HttpResponse<String> second = http.get("/relay/nostore");
        assertThat(first.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(second.headers().firstValue("X-Cache")).hasValue("MISS");
        assertThat(upstream.hits("/base/nostore")).isEqualTo(2);

        assertThat(http.get("/relay/missing").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/relay/../actuator/prometheus",
                "/relay/data/../../secret",
                "/relay/%2e%2e/secret",
                "/relay/data%2F..%2Fsecret",
                "/relay//evil.example/x",
                "/relay/http:%2F%2Fevil.example/",
                "/relay/http://evil.example/x",
                "/relay/%252e%252e/secret",
                "/relay/a%5c..%5csecret",
                "/relay/./data/x",
                "/relay/"
            })
    void relayRefusesPathsThatCouldLeaveTheUpstream(String target) {
        int before = upstream.requestedPaths.size();
        assertThat(http.rawStatus("GET", target)).isEqualTo(400);
        assertThat(upstream.requestedPaths).hasSize(before);
    }

    @Test
    void relayServesStaleWhenTheUpstreamFailsAndSaysSo() {
        upstream.flakyFailing.set(false);
        HttpResponse<String> fresh = http.get("/relay/flaky");
        assertThat(fresh.statusCode()).isEqualTo(200);
        upstream.flakyFailing.set(true);
        try {
            ticker.advance(Duration.ofSeconds(2)); // max-age=1 has passed
            double staleBefore = http.metric("cache_stale_served_total{cache=\"relay\"}");
            HttpResponse<String> stale = http.get("/relay/flaky");
            assertThat(stale.statusCode()).isEqualTo(200);
            assertThat(stale.headers().firstValue("X-Cache")).hasValue("STALE");
            assertThat(stale.headers().firstValue("Cache-Control")).hasValue("max-age=0, stale-if-error");
            assertThat(stale.body()).isEqualTo(fresh.body());
            assertThat(http.metric("cache_stale_served_total{cache=\"relay\"}") - staleBefore)
                    .isEqualTo(1);

            ticker.advance(Duration.ofMinutes(5)); // past CACHE_STALE_IF_ERROR
            HttpResponse<String> gone = http.get("/relay/flaky");
            assertThat(gone.statusCode()).isEqualTo(502);
            assertThat(gone.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        } finally {
            upstream.flakyFailing.set(false);
        }
    }

    @Test
    void metricsExposeRequestCacheAndOriginSeriesThatMove() {
        http.get("/api/items/555");
        double requests = http.metric(
                "http_server_requests_seconds_count{error=\"none\",exception=\"none\",method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/items/{id}\"}");
        double hits = http.metric("cache_gets_total{cache=\"catalog\",result=\"hit\"}");
        double misses = http.metric("cache_gets_total{cache=\"catalog\",result=\"miss\"}");
        double origin = originCalls();

        http.get("/api/items/555");
        http.get("/api/items/556");

        assertThat(
                        http.metric(
                                "http_server_requests_seconds_count{error=\"none\",exception=\"none\",method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/items/{id}\"}"))
                .isEqualTo(requests + 2);
        assertThat(http.metric("cache_gets_total{cache=\"catalog\",result=\"hit\"}"))
                .isEqualTo(hits + 1);
        assertThat(http.metric("cache_gets_total{cache=\"catalog\",result=\"miss\"}"))
                .isEqualTo(misses + 1);
        assertThat(originCalls()).isEqualTo(origin + 1);
        String text = http.management("/actuator/prometheus").body();
        assertThat(text)
                .contains(
                        "http_server_requests_seconds_sum{",
                        "cache_evictions_total{cache=\"catalog\"}",
                        "cache_size{cache=\"catalog\"}",
                        "origin_requests_seconds_sum{cache=\"catalog\",outcome=\"success\"}");
        assertThat(http.metric("cache_size{cache=\"catalog\"}")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void livenessAndReadinessAreUpOnTheManagementPort() {
        assertThat(http.management("/actuator/health/liveness").statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = http.management("/actuator/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
    }

    @Test
    void metricsAndProbesAreServedApartFromTheApi() {
        assertThat(managementPort).isNotEqualTo(port);
        // Not on the API's port, so that they never queue behind its requests ...
        assertThat(http.get("/actuator/prometheus").statusCode()).isEqualTo(404);
        assertThat(http.get("/actuator/health/liveness").statusCode()).isEqualTo(404);
        // ... and the API is not on the management port.
        assertThat(http.management("/api/items/1").statusCode()).isEqualTo(404);
        assertThat(http.management("/actuator/prometheus").body()).contains("http_server_requests_seconds_count{");
    }

    @Test
    void madeUpMethodsAddNoSeries() {
        http.get("/api/items/1");
        http.get("/nowhere");
        long before = seriesCount();
        for (int i = 0; i < 1000; i++) {
            String path = i % 2 == 0 ? "/api/items/1" : "/nowhere/" + i;
            assertThat(http.rawStatus("M" + i, path)).as("M%d %s", i, path).isIn(404, 405);
        }
        String text = http.management("/actuator/prometheus").body();
        assertThat(text).doesNotContain("method=\"M1\"", "method=\"M2\"", "/nowhere/1\"");
        // One OTHER series per route and status at most, whatever the 1,000 methods and paths were.
        assertThat(seriesCount() - before).isLessThanOrEqualTo(4);
    }

    /** The request series' sample lines on the metrics page. */
    private long seriesCount() {
        return http.management("/actuator/prometheus")
                .body()
                .lines()
                .filter(line -> line.startsWith("http_server_requests_seconds_count{"))
                .count();
    }

    private double originCalls() {
        return http.metric("origin_requests_seconds_count{cache=\"catalog\",outcome=\"success\"}");
    }

    private static UpstreamStub startUpstream() {
        try {
            return new UpstreamStub();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not start the upstream stub on 127.0.0.1", e);
        }
    }
}
