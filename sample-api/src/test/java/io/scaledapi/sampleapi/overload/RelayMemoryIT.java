package io.scaledapi.sampleapi.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A relay pod with the heap of a 512Mi pod, in front of an upstream that answers 5 MB for any path, sent 200 distinct
 * query strings of one path at once: the cache's byte bound, the bound on fetches in flight and the one on query
 * strings per path keep it up, its heap under its maximum (it exits on an OutOfMemoryError, as the image does).
 */
class RelayMemoryIT {

    static final int BODY_BYTES = 5 * 1024 * 1024;
    static final int QUERIES = 200;

    @Test
    void fiveMegabytesForEveryQueryStringDoNotTakeThePodDown() throws Exception {
        HttpServer upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new byte[BODY_BYTES];
        upstream.createContext("/", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
            exchange.getResponseHeaders().add("Cache-Control", "max-age=60");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        upstream.setExecutor(Executors.newFixedThreadPool(32));
        upstream.start();
        Path log = Files.createTempFile("relay-pod", ".log");
        try (OverloadedPod pod = new OverloadedPod(
                "1000m",
                log,
                Map.of(
                        "UPSTREAM_URL",
                        "http://127.0.0.1:" + upstream.getAddress().getPort() + "/",
                        "JAVA_TOOL_OPTIONS",
                        "-XX:+ExitOnOutOfMemoryError"))) {
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("the pod exited; its log is " + log, () -> !pod.alive())
                    .until(pod::ready);

            HttpClient client = HttpClient.newBuilder()
                    .executor(Executors.newFixedThreadPool(16))
                    .build();
            List<CompletableFuture<HttpResponse<Void>>> sent = new ArrayList<>();
            for (int i = 0; i < QUERIES; i++) {
                sent.add(client.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create("http://127.0.0.1:" + pod.apiPort() + "/relay/data?variant=" + i))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            long relayed =
                    sent.stream().filter(f -> f.join().statusCode() == 200).count();
            long refused =
                    sent.stream().filter(f -> f.join().statusCode() >= 500).count();
            assertThat(relayed + refused).isEqualTo(QUERIES);
            assertThat(relayed).as("some were relayed").isPositive();

            assertThat(pod.alive())
                    .as("the pod is up (it exits on OutOfMemoryError); log " + log)
                    .isTrue();
            assertThat(pod.ready()).isTrue();
            String metrics = pod.scrape(Duration.ofSeconds(10));
            double cached = sum(metrics, "cache_bytes\\{cache=\"relay\"");
            double heapUsed = sum(metrics, "jvm_memory_used_bytes\\{area=\"heap\"");
            double heapMax = sum(metrics, "jvm_memory_max_bytes\\{area=\"heap\"");
            System.out.printf(
                    "relay memory: %d relayed, %d refused, relay cache %.1f MiB, heap %.0f of %.0f MiB%n",
                    relayed, refused, cached / (1 << 20), heapUsed / (1 << 20), heapMax / (1 << 20));
            assertThat(cached).as("the relay cache's bytes").isLessThanOrEqualTo(64.0 * 1024 * 1024);
            assertThat(heapMax).as("a 512Mi pod's heap").isBetween(100.0 * 1024 * 1024, 400.0 * 1024 * 1024);
            assertThat(heapUsed).as("heap in use").isPositive().isLessThan(heapMax);
            assertThat(sum(metrics, "relay_queries_uncached_total"))
                    .as("query strings past the per-path bound, fetched uncached")
                    .isGreaterThan(0);
        } finally {
            upstream.stop(0);
        }
        Files.deleteIfExists(log);
    }

    /** The sum of every series that starts with {@code prefix} (a regex) in a Prometheus text page. */
    static double sum(String page, String prefix) {
        // Label values may hold spaces (id="G1 Eden Space"): the value follows the closing brace.
        Matcher m = Pattern.compile("(?m)^" + prefix + "(?:[^}]*\\})? ([0-9.eE+-]+)$")
                .matcher(page);
        double total = 0;
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
