package io.scaledapi.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
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
        try (PodScraper scraper = new PodScraper(
                new DirectFetcher(Duration.ofMillis(500), executor), Duration.ofMillis(500), 4, executor)) {
            Map<String, PodScraper.Result> results = scraper.scrape(
                            List.of(
                                    new PodTarget("ns", "healthy", "127.0.0.1", healthy, "/actuator/prometheus"),
                                    new PodTarget("ns", "slow", "127.0.0.1", slow, "/actuator/prometheus"),
                                    new PodTarget("ns", "failing", "127.0.0.1", failing, "/actuator/prometheus"),
                                    new PodTarget("ns", "no-counter", "127.0.0.1", noCounter, "/actuator/prometheus"),
                                    new PodTarget("ns", "absent", "127.0.0.1", 1, "/actuator/prometheus")),
                            new PodCountersReader("http_server_requests_seconds_count"))
                    .get(5, TimeUnit.SECONDS);
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

    @Test
    void whatAnsweredAtAnAddressIsNeverQuoted() throws Exception {
        // Not an HTTP server: it greets with a banner, as an SSH server does.
        try (java.net.ServerSocket banner =
                new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread greeter = new Thread(() -> {
                while (!banner.isClosed()) {
                    try (java.net.Socket s = banner.accept()) {
                        s.getOutputStream()
                                .write("SSH-2.0-OpenSSH_9.2p1 secret-host\r\n".getBytes(StandardCharsets.UTF_8));
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            greeter.setDaemon(true);
            greeter.start();
            var executor = PodScraper.newExecutor(2);
            try (PodScraper scraper = new PodScraper(
                    new DirectFetcher(Duration.ofSeconds(2), executor), Duration.ofSeconds(2), 2, executor)) {
                PodScraper.Result result = scraper.scrape(
                                List.of(new PodTarget(
                                        "ns", "banner", "127.0.0.1", banner.getLocalPort(), "/actuator/prometheus")),
                                new PodCountersReader("http_server_requests_seconds_count"))
                        .get(5, TimeUnit.SECONDS)
                        .get("banner");
                assertThat(result.counters()).isNull();
                assertThat(result.failure()).doesNotContain("SSH").doesNotContain("secret-host");
                assertThat(result.kind()).isEqualTo(ScrapeFailure.CONNECTION);
            }
        }
    }

    @Test
    void oneResourceWhosePodsHangCannotTakeTheWholeBound() throws Exception {
        // 8 scrapes in flight at most, 4 of them per resource. 32 pods of one resource hang; a second resource's pods,
        // asked for just after, are scraped at once and not queued behind them.
        int hanging = serve(200, PrometheusTextTest.SAMPLE_API, true);
        int healthy = serve(200, PrometheusTextTest.SAMPLE_API, false);
        var executor = PodScraper.newExecutor(8);
        try (PodScraper scraper = new PodScraper(
                new DirectFetcher(Duration.ofSeconds(2), executor), Duration.ofSeconds(2), 8, executor)) {
            List<PodTarget> stuck = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                stuck.add(new PodTarget("team-a", "stuck-" + i, "127.0.0.1", hanging, "/actuator/prometheus"));
            }
            var stuckResults =
                    scraper.scrape("team-a/stuck", stuck, new PodCountersReader("http_server_requests_seconds_count"));
            long asked = System.nanoTime();
            Map<String, PodScraper.Result> normal = scraper.scrape(
                            "team-b/normal",
                            List.of(
                                    new PodTarget("team-b", "normal-0", "127.0.0.1", healthy, "/actuator/prometheus"),
                                    new PodTarget("team-b", "normal-1", "127.0.0.1", healthy, "/actuator/prometheus")),
                            new PodCountersReader("http_server_requests_seconds_count"))
                    .get(5, TimeUnit.SECONDS);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            assertThat(normal.values()).allSatisfy(r -> assertThat(r.counters()).isNotNull());
            assertThat(tookMillis)
                    .as("answered before any hanging scrape timed out (2 s)")
                    .isLessThan(2000);
            assertThat(stuckResults)
                    .as("the hanging resource's scrapes still wait for their timeout")
                    .isNotDone();
            Map<String, PodScraper.Result> stuckDone = stuckResults.get(10, TimeUnit.SECONDS);
            assertThat(stuckDone.values())
                    .extracting(PodScraper.Result::kind)
                    .containsOnly(ScrapeFailure.TIMEOUT, ScrapeFailure.OVERLOADED)
                    .filteredOn(k -> k == ScrapeFailure.TIMEOUT)
                    .hasSizeLessThanOrEqualTo(8); // 4 at a time, 2 rounds in 2 s at most
        }
    }
}
