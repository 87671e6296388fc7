package io.scaledapi.sampleapi.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.scaledapi.sampleapi.cache.OriginResponse;
import io.scaledapi.sampleapi.cache.OriginUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The relay's upstream body limit against a real HTTP server on 127.0.0.1, declared and chunked. */
class RelayOriginTest {

    static final int LIMIT = 64 * 1024;
    static final long STREAM_BYTES = 256L * 1024 * 1024;
    static HttpServer server;
    static final CompletableFuture<Long> streamed = new CompletableFuture<>();
    static final java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/chunked-small", x -> {
            x.sendResponseHeaders(200, 0); // 0: chunked
            try (OutputStream out = x.getResponseBody()) {
                out.write(new byte[LIMIT / 2]);
                out.write(new byte[LIMIT / 2]);
            }
        });
        server.createContext("/chunked-endless", x -> {
            x.sendResponseHeaders(200, 0);
            long sent = 0;
            byte[] chunk = new byte[16 * 1024];
            try (OutputStream out = x.getResponseBody()) {
                while (sent < STREAM_BYTES) {
                    out.write(chunk);
                    sent += chunk.length;
                }
            } catch (IOException e) {
                // the relay hung up
            }
            streamed.complete(sent);
        });
        server.createContext("/declared-large", x -> {
            byte[] body = new byte[LIMIT + 1];
            Arrays.fill(body, (byte) 'x');
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // the relay hung up
            }
        });
        server.createContext("/held", x -> {
            try {
                held.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.sendResponseHeaders(200, 2);
            try (OutputStream out = x.getResponseBody()) {
                out.write("{}".getBytes());
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    RelayOrigin origin() {
        return new RelayOrigin(new UpstreamProperties(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(20),
                LIMIT,
                16,
                100));
    }

    @Test
    void pastTheBoundOnFetchesInFlightAFetchFailsAtOnceAsAnOriginFailure() throws Exception {
        RelayOrigin bounded = new RelayOrigin(new UpstreamProperties(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(20),
                LIMIT,
                2,
                100));
        CompletableFuture<OriginResponse> first = bounded.fetch(RelayTarget.parse("held/1", null));
        CompletableFuture<OriginResponse> second = bounded.fetch(RelayTarget.parse("held/2", null));
        assertThatThrownBy(
                        () -> bounded.fetch(RelayTarget.parse("held/3", null)).join())
                .hasCauseInstanceOf(io.scaledapi.sampleapi.cache.OriginUnavailableException.class)
                .hasMessageContaining("UPSTREAM_MAX_CONCURRENT_FETCHES");
        held.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        assertThat(bounded.fetch(RelayTarget.parse("chunked-small", null))
                        .get(10, TimeUnit.SECONDS)
                        .body())
                .as("a slot is free again once a fetch ends")
                .hasSize(LIMIT);
    }

    @Test
    void aChunkedBodyWithinTheLimitIsRelayed() throws Exception {
        OriginResponse response =
                origin().fetch(RelayTarget.parse("chunked-small", null)).get(10, TimeUnit.SECONDS);
        assertThat(response.body()).hasSize(LIMIT);
    }

    @Test
    void aChunkedBodyOverTheLimitIsCutOffNotReadToTheEnd() {
        CompletableFuture<OriginResponse> fetch = origin().fetch(RelayTarget.parse("chunked-endless", null));
        assertThatThrownBy(() -> fetch.get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OriginUnavailableException.class)
                .hasMessageContaining(LIMIT + "-byte limit");
        // The download was cancelled: the upstream could not send all it meant to.
        await().atMost(Duration.ofSeconds(20)).until(streamed::isDone);
        assertThat(streamed.join()).isLessThan(STREAM_BYTES);
    }

    @Test
    void aDeclaredLengthOverTheLimitFailsUpFront() {
        CompletableFuture<OriginResponse> fetch = origin().fetch(RelayTarget.parse("declared-large", null));
        assertThatThrownBy(() -> fetch.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(OriginUnavailableException.class);
    }
}
