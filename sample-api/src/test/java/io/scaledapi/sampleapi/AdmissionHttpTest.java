package io.scaledapi.sampleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The bound on requests in flight: beyond it a request gets 503 with Retry-After at once, and every request is counted
 * as it arrives, shed or not, while the served series counts only what was served.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "server.address=127.0.0.1",
            "origin.latency=300ms",
            "admission.max-in-flight=4",
            "unread-requests.interval=1s"
        })
class AdmissionHttpTest {

    /** The served series of item reads that succeeded (the management port's own requests are in the same registry). */
    private static final String SERVED_ITEMS = "http_server_requests_seconds_count{error=\"none\",exception=\"none\","
            + "method=\"GET\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/items/{id}\"}";

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Test
    void beyondTheBoundRequestsAreShedAtOnceAndEveryArrivalIsCounted() {
        HttpTestClient http = new HttpTestClient(port, managementPort);
        double arrivedBefore = http.metric("http_server_arrivals_total");
        double shedBefore = http.metric("http_server_shed_total");
        double servedBefore = http.metric(SERVED_ITEMS);
        // 40 misses at once, each 300 ms at the origin: 4 are worked on, the rest arrive while those are in flight.
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int id = 1; id <= 40; id++) {
            sent.add(http.getAsync("/api/items/" + (500 + id)));
        }
        List<HttpResponse<String>> answers =
                sent.stream().map(CompletableFuture::join).toList();
        List<HttpResponse<String>> shed =
                answers.stream().filter(r -> r.statusCode() == 503).toList();
        long served = answers.stream().filter(r -> r.statusCode() == 200).count();

        assertThat(served + shed.size()).isEqualTo(40);
        assertThat(served).isGreaterThanOrEqualTo(4);
        assertThat(shed).isNotEmpty();
        assertThat(shed.get(0).headers().firstValue("Retry-After")).hasValue("1");
        assertThat(shed.get(0).headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(shed.get(0).body()).contains("bound on requests in flight");
        assertThat(http.metric("http_server_arrivals_total") - arrivedBefore).isEqualTo(40);
        assertThat(http.metric("http_server_shed_total") - shedBefore).isEqualTo(shed.size());
        assertThat(http.metric(SERVED_ITEMS) - servedBefore).isEqualTo(served);
        // Nothing waits unread on an idle replica's API port: the gauge, read in the background from the kernel's
        // tables, comes to 0 (not NaN).
        await().atMost(Duration.ofSeconds(5)).until(() -> http.metric("http_server_unread") == 0);
        // The bound is released as requests finish: the replica serves again.
        assertThat(http.get("/api/items/7").statusCode()).isEqualTo(200);
    }
}
