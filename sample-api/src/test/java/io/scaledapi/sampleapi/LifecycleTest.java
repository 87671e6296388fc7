package io.scaledapi.sampleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.catalog.CatalogOrigin;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/** Start-up, readiness and graceful shutdown, on an app this test starts and stops itself. */
class LifecycleTest {

    @Test
    void shutdownStopsTakingConnectionsAndFinishesRequestsInFlight() throws Exception {
        try (UpstreamStub upstream = new UpstreamStub()) {
            ConfigurableApplicationContext app = start("upstream.url=" + upstream.base());
            HttpTestClient http = HttpTestClient.of(app);
            int port = http.port();

            CompletableFuture<HttpResponse<String>> inFlight = http.getAsync("/relay/slow");
            await().atMost(Duration.ofSeconds(10)).until(() -> upstream.hits("/base/slow") == 1);

            // What SIGTERM does: the shutdown hook closes the context, on a thread of its own. Not on the common pool:
            // the app's cache completes loads there, and with one worker (2 cores) on JDK 25 a blocked close() held
            // the relay's answer back until the 20 s graceful-shutdown timeout.
            CompletableFuture<Void> shutdown = new CompletableFuture<>();
            Thread hook = new Thread(
                    () -> {
                        try {
                            app.close();
                            shutdown.complete(null);
                        } catch (RuntimeException e) {
                            shutdown.completeExceptionally(e);
                        }
                    },
                    "shutdown-hook");
            hook.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> !accepts(port));
            assertThat(inFlight).isNotDone();

            upstream.slowGate.countDown();
            HttpResponse<String> finished = inFlight.get();
            assertThat(finished.statusCode()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("{\"slow\":true}");
            shutdown.get();
            assertThat(app.isActive()).isFalse();
        }
    }

    @Test
    void readinessFollowsTheOrigin() {
        ConfigurableApplicationContext app = start();
        try {
            HttpTestClient http = HttpTestClient.of(app);
            assertThat(http.management("/actuator/health/readiness").statusCode())
                    .isEqualTo(200);

            app.getBean(CatalogOrigin.class).close();
            HttpResponse<String> notReady = http.management("/actuator/health/readiness");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("DOWN");
            assertThat(http.management("/actuator/health/liveness").statusCode())
                    .isEqualTo(200);
        } finally {
            app.close();
        }
    }

    @Test
    void aWarmUpRunsThroughTheHttpPortBeforeThePodReportsReady() {
        AtomicLong cachedWhenReady = new AtomicLong(-1);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(SampleApiApplication.class)
                .listeners((ApplicationListener<AvailabilityChangeEvent<?>>) event -> {
                    if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                        var context = (ConfigurableApplicationContext) event.getSource();
                        cachedWhenReady.set(context.getBean(ResponseCache.class).size());
                    }
                })
                .run(arguments("warmup.requests=50"));
        try {
            assertThat(cachedWhenReady.get())
                    .as("items cached when readiness turned to ACCEPTING_TRAFFIC")
                    .isEqualTo(50);
            // The warm-up is not traffic: the series the autoscaler reads counts only what comes after it.
            MeterRegistry registry = app.getBean(MeterRegistry.class);
            assertThat(registry.find("http.server.requests")
                            .tags("uri", "/api/items/{id}")
                            .timers())
                    .isEmpty();
            assertThat(HttpTestClient.of(app).get("/api/items/7").statusCode()).isEqualTo(200);
            assertThat(registry.get("http.server.requests")
                            .tags("uri", "/api/items/{id}", "status", "200")
                            .timer()
                            .count())
                    .isEqualTo(1);
        } finally {
            app.close();
        }
    }

    @Test
    void badSettingsStopStartUpWithAMessageNamingThem() {
        assertThatThrownBy(() -> start("cache.ttl=0s").close())
                .hasStackTraceContaining("CACHE_TTL must be a positive duration");
        assertThatThrownBy(() -> start("upstream.url=file:///etc/passwd").close())
                .hasStackTraceContaining("UPSTREAM_URL must be an absolute http(s) URL");
        assertThatThrownBy(() -> start("warmup.requests=-1").close())
                .hasStackTraceContaining("WARMUP_REQUESTS must be from 0");
    }

    private static ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(SampleApiApplication.class).run(arguments(properties));
    }

    /** As command-line arguments, which (unlike default properties) win over application.properties' ports. */
    private static String[] arguments(String... properties) {
        String[] all = new String[properties.length + 4];
        all[0] = "--server.address=127.0.0.1";
        all[1] = "--server.port=0";
        all[2] = "--management.server.port=0";
        all[3] = "--origin.latency=1ms";
        for (int i = 0; i < properties.length; i++) {
            all[4 + i] = "--" + properties[i];
        }
        return all;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
