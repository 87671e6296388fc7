package io.scaledapi.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Real HTTP endpoints on 127.0.0.1 standing in for pods: healthy, slow, failing, absent. */
class PodScraperTest {

    final List<HttpServer> servers = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        servers.forEach(s -> s.stop(0));
    }

    int serve(int status, String body, boolean hang) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/actuator/prometheus", exchange -> {
            if (hang) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    @Test
    void eachPodGetsItsCountersOrTheReasonItHasNone() throws Exception {
        int healthy = serve(200, PrometheusTextTest.SAMPLE_API, false);
        int slow = serve(200, PrometheusTextTest.SAMPLE_API, true);
        int failing = serve(500, "boom", false);
        int noCounter = serve(200, "other_metric 1\n", false);
        var executor = PodScraper.newExecutor(8);
        try (PodScraper scraper = new PodScraper(new DirectFetcher(Duration.ofMillis(500), executor), Duration.ofMillis(500), 4, executor)) {
            Map<String, PodScraper.Result> results = scraper.scrape(List.of(
                    new PodTarget("ns", "healthy", "127.0.0.1", healthy, "/actuator/prometheus"),
                    new PodTarget("ns", "slow", "127.0.0.1", slow, "/actuator/prometheus"),
                    new PodTarget("ns", "failing", "127.0.0.1", failing, "/actuator/prometheus"),
                    new PodTarget("ns", "no-counter", "127.0.0.1", noCounter, "/actuator/prometheus"),
                    new PodTarget("ns", "absent", "127.0.0.1", 1, "/actuator/prometheus")),
                    new PodCountersReader("http_server_requests_seconds_count")).get(5, TimeUnit.SECONDS);
            assertThat(results.get("healthy").counters().requests()).isEqualTo(1230);
            assertThat(results.get("slow").failure()).contains("500 ms");
            assertThat(results.get("failing").failure()).contains("HTTP 500");
            assertThat(results.get("no-counter").failure()).contains("http_server_requests_seconds_count");
            assertThat(results.get("absent").failure()).isNotBlank();
            assertThat(results.get("slow").kind()).isEqualTo(ScrapeFailure.TIMEOUT);
            assertThat(results.get("failing").kind()).isEqualTo(ScrapeFailure.HTTP_STATUS);
            assertThat(results.get("no-counter").kind()).isEqualTo(ScrapeFailure.UNREADABLE);
            assertThat(results.get("absent").kind()).isEqualTo(ScrapeFailure.CONNECTION);
        }
    }
}
