package io.scaledapi.sampleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.cache.SharedEntry;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

/** Two whole app instances, as two pods, sharing one real redis-server on 127.0.0.1. */
class SharedCacheAppTest {

    private final RedisServer redis = new RedisServer();

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void aSecondPodServesFromTheSharedTierWhatTheFirstLoaded() {
        try (ConfigurableApplicationContext first = start();
                ConfigurableApplicationContext second = start()) {
            HttpTestClient a = HttpTestClient.of(first);
            HttpTestClient b = HttpTestClient.of(second);

            HttpResponse<String> origin = a.get("/api/items/42");
            assertThat(origin.headers().firstValue("X-Cache")).hasValue("MISS");
            assertThat(origin.headers().firstValue("X-Cache-Source")).hasValue("origin");
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("pods:catalog:item:42") == 1);

            HttpResponse<String> shared = b.get("/api/items/42");
            assertThat(shared.statusCode()).isEqualTo(200);
            assertThat(shared.headers().firstValue("X-Cache")).hasValue("HIT");
            assertThat(shared.headers().firstValue("X-Cache-Source")).hasValue("shared");
            assertThat(shared.headers().firstValue("ETag"))
                    .isEqualTo(origin.headers().firstValue("ETag"));
            assertThat(shared.body()).isEqualTo(origin.body());

            HttpResponse<String> local = b.get("/api/items/42");
            assertThat(local.headers().firstValue("X-Cache-Source")).hasValue("local");

            assertThat(b.metric("cache_gets_total{cache=\"shared\",result=\"hit\""))
                    .isEqualTo(1);
            assertThat(b.metric("origin_requests_seconds_count{cache=\"catalog\""))
                    .isZero();
            assertThat(a.metric("cache_gets_total{cache=\"shared\",result=\"miss\""))
                    .isEqualTo(1);
        }
    }

    @Test
    void aNewPodLoadsTheHotKeysBeforeItReportsReady() {
        try (ConfigurableApplicationContext running = start("cache.warm.keys=20", "redis.hot-keys-interval=100ms")) {
            HttpTestClient a = HttpTestClient.of(running);
            for (int id = 1; id <= 20; id++) {
                a.get("/api/items/" + id);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("pods:hot-keys:catalog") == 1);

            AtomicLong cachedWhenReady = new AtomicLong(-1);
            try (ConfigurableApplicationContext fresh = new SpringApplicationBuilder(SampleApiApplication.class)
                    .listeners((ApplicationListener<AvailabilityChangeEvent<?>>) event -> {
                        if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                            var context = (ConfigurableApplicationContext) event.getSource();
                            cachedWhenReady.set(
                                    context.getBean(ResponseCache.class).size());
                        }
                    })
                    .run(arguments("cache.warm.keys=20"))) {
                assertThat(cachedWhenReady.get())
                        .as("entries cached when readiness turned to ACCEPTING_TRAFFIC")
                        .isEqualTo(20);
                HttpResponse<String> read = HttpTestClient.of(fresh).get("/api/items/7");
                assertThat(read.headers().firstValue("X-Cache-Source")).hasValue("local");
            }
        }
    }

    @Test
    void aSharedTierThatIsDownAtStartDoesNotStopThePod() {
        redis.kill();
        try (ConfigurableApplicationContext app = start("cache.warm.keys=20", "cache.warm.timeout=2s")) {
            HttpTestClient http = HttpTestClient.of(app);
            HttpResponse<String> read = http.get("/api/items/3");
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.headers().firstValue("X-Cache-Source")).hasValue("origin");
            assertThat(http.management("/actuator/health/readiness").statusCode())
                    .isEqualTo(200);
            assertThat(http.metric("cache_shared_connected")).isZero();
        }
    }

    @Test
    void planted400MegabyteAndHeaderInjectingValuesAreAnsweredFromTheOriginAndThePodStaysUp() {
        byte[] json = "{\"planted\":true}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        redis.binary()
                .set(
                        "pods:catalog:item:7",
                        new SharedEntry(200, "application/json\r\nSet-Cookie: session=planted", json, 60_000, 0)
                                .encode("pods:catalog:item:7"),
                        io.lettuce.core.SetArgs.Builder.px(Duration.ofDays(365).toMillis()));
        redis.binary()
                .set(
                        "pods:catalog:item:8",
                        new SharedEntry(200, "application/json", json, 60_000, 0).encode("pods:catalog:item:8"),
                        io.lettuce.core.SetArgs.Builder.px(Duration.ofDays(365).toMillis()));
        redis.commands().setrange("pods:catalog:item:8", 400L * 1024 * 1024, "x");

        try (ConfigurableApplicationContext app = start()) {
            HttpTestClient http = HttpTestClient.of(app);
            for (String id : java.util.List.of("7", "8")) {
                HttpResponse<String> read = http.get("/api/items/" + id);
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(read.headers().firstValue("X-Cache-Source")).hasValue("origin");
                assertThat(read.headers().firstValue("Set-Cookie")).isEmpty();
                assertThat(read.headers().firstValue("Content-Type")).hasValue("application/json");
                assertThat(read.body()).doesNotContain("planted").contains("\"id\":" + id);
            }
            assertThat(http.metric("cache_shared_refused_total{reason=\"content_type\""))
                    .isEqualTo(1);
            assertThat(http.metric("cache_shared_refused_total{reason=\"too_large\""))
                    .isEqualTo(1);
            assertThat(http.management("/actuator/health/liveness").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aPasswordOfItsOwnReachesARedisThatRequiresOne() {
        try (RedisServer secured = new RedisServer("a-password-from-a-secret")) {
            try (ConfigurableApplicationContext app =
                    start("redis.url=" + secured.url(), "redis.password=a-password-from-a-secret")) {
                HttpTestClient.of(app).get("/api/items/5");
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> secured.commands().exists("pods:catalog:item:5") == 1);
            }
            try (ConfigurableApplicationContext app = start("redis.url=" + secured.url())) {
                HttpTestClient http = HttpTestClient.of(app);
                HttpResponse<String> read = http.get("/api/items/6");
                assertThat(read.statusCode())
                        .as("served from the origin without the shared tier")
                        .isEqualTo(200);
                assertThat(read.headers().firstValue("X-Cache-Source")).hasValue("origin");
                assertThat(secured.commands().exists("pods:catalog:item:6")).isZero();
            }
        }
        assertThat(new io.scaledapi.sampleapi.cache.SharedTierProperties(
                                "redis://r:6379",
                                "a-password-from-a-secret",
                                Duration.ofMillis(5),
                                "p:",
                                org.springframework.util.unit.DataSize.ofMegabytes(1),
                                Duration.ofSeconds(10))
                        .toString())
                .doesNotContain("a-password-from-a-secret");
    }

    @Test
    void aRedisUrlThatIsNotOneStopsStartUpWithoutEchoingIt() {
        assertThatThrownBy(
                        () -> start("redis.url=http://user:secret@example.org").close())
                .hasStackTraceContaining("REDIS_URL must start with redis:// or rediss://")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("secret"));
        assertThatThrownBy(() -> start("redis.url=redis://127.0.0.1:6379,http://user:secret@example.org")
                        .close())
                .hasStackTraceContaining("REDIS_URL is not a valid Redis URL")
                .satisfies(e -> assertThat(stackTrace(e)).doesNotContain("secret"));
        assertThatThrownBy(() -> start("cache.warm.keys=-1").close())
                .hasStackTraceContaining("CACHE_WARM_KEYS must be from 0");
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter out = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }

    private ConfigurableApplicationContext start(String... properties) {
        return new SpringApplicationBuilder(SampleApiApplication.class).run(arguments(properties));
    }

    /** As command-line arguments, which (unlike default properties) win over application.properties' port. */
    private String[] arguments(String... properties) {
        java.util.Map<String, String> all = new java.util.LinkedHashMap<>();
        for (String property : java.util.List.of(
                "server.address=127.0.0.1",
                "server.port=0",
                "management.server.port=0",
                "origin.latency=1ms",
                "redis.url=" + redis.url(),
                // Not the 5 ms default: a cold JVM's first Redis reads can take longer, and these tests count hits
                // and misses, not timeouts (SharedTierTest covers those).
                "redis.timeout=1s",
                "redis.key-prefix=pods:")) {
            all.put(property.substring(0, property.indexOf('=')), property);
        }
        for (String property : properties) {
            all.put(property.substring(0, property.indexOf('=')), property); // a repeated argument would be joined
        }
        return all.values().stream().map(property -> "--" + property).toArray(String[]::new);
    }
}
