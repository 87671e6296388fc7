package io.scaledapi.sampleapi.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Ticker;
import io.lettuce.core.SetArgs;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaledapi.sampleapi.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/** Two "pods" (each its own cache, origin and Redis connection) over one real redis-server on 127.0.0.1. */
class SharedTierTest {

    private static final CacheProperties SETTINGS =
            new CacheProperties(Duration.ofSeconds(60), 1000, Duration.ofMinutes(5), 0.8, DataSize.ofMegabytes(64));
    private static final KeyCodec<String> TEXT = new KeyCodec<>() {
        @Override
        public String encode(String key) {
            return key;
        }

        @Override
        public String decode(String text) {
            return text;
        }
    };

    private final RedisServer redis = new RedisServer();
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : closing) {
            closeable.close();
        }
        redis.close();
    }

    /** A pod: its own origin, registry, shared-tier connection and cache. */
    private final class Pod {
        final AtomicInteger originCalls = new AtomicInteger();
        final MeterRegistry registry = new SimpleMeterRegistry();
        final RedisSharedTier tier;
        final ResponseCache<String> cache;
        volatile int bodySize = 0;

        Pod(SharedTierProperties properties) {
            tier = new RedisSharedTier(properties, registry);
            closing.add(tier);
            cache = new ResponseCache<>(
                    "catalog",
                    key -> {
                        originCalls.incrementAndGet();
                        byte[] body = bodySize > 0
                                ? new byte[bodySize]
                                : ("{\"key\":\"" + key + "\"}").getBytes(StandardCharsets.UTF_8);
                        return CompletableFuture.completedFuture(OriginResponse.json(body));
                    },
                    tier,
                    TEXT,
                    SETTINGS,
                    Ticker.systemTicker(),
                    registry);
            await().atMost(Duration.ofSeconds(10)).until(tier::connected);
        }

        Pod() {
            this(properties(Duration.ofMillis(50), DataSize.ofMegabytes(1)));
        }

        ResponseCache.Lookup get(String key) {
            return cache.lookup(key).orTimeout(2, TimeUnit.SECONDS).join();
        }

        double counter(String name, String tag, String value) {
            var counter = registry.find(name).tag(tag, value).counter();
            return counter == null ? 0 : counter.count();
        }
    }

    private SharedTierProperties properties(Duration timeout, DataSize maxValue) {
        return new SharedTierProperties(redis.url(), "", timeout, "test:", maxValue, Duration.ofMillis(100));
    }

    @Test
    void aKeyOnePodLoadedIsASharedHitForTheOther() {
        Pod a = new Pod();
        Pod b = new Pod();

        ResponseCache.Lookup first = a.get("item:1");
        assertThat(first.outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(first.source()).isEqualTo(CacheSource.ORIGIN);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:catalog:item:1") == 1);

        ResponseCache.Lookup second = b.get("item:1");
        assertThat(second.outcome()).isEqualTo(CacheOutcome.HIT);
        assertThat(second.source()).isEqualTo(CacheSource.SHARED);
        assertThat(second.response().body()).isEqualTo(first.response().body());
        assertThat(second.response().etag()).isEqualTo(first.response().etag());
        assertThat(b.originCalls.get()).isZero();
        assertThat(b.counter("cache.gets", "result", "hit")).isEqualTo(1);
        assertThat(a.counter("cache.gets", "result", "miss")).isEqualTo(1);

        ResponseCache.Lookup third = b.get("item:1");
        assertThat(third.source()).isEqualTo(CacheSource.LOCAL);
        assertThat(b.counter("cache.gets", "result", "hit"))
                .as("a local hit does not ask the shared tier")
                .isEqualTo(1);
    }

    @Test
    void anEntryKeepsTheFreshnessItHasLeftWhenAnotherPodReadsIt() {
        Pod a = new Pod();
        Pod b = new Pod();
        a.get("item:2");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:catalog:item:2") == 1);
        assertThat(redis.commands().pttl("test:catalog:item:2")).isBetween(50_000L, 60_000L);

        // As if 40 of its 60 seconds had passed.
        redis.commands().pexpire("test:catalog:item:2", 20_000);
        ResponseCache.Lookup read = b.get("item:2");
        long now = Ticker.systemTicker().read();
        assertThat(read.source()).isEqualTo(CacheSource.SHARED);
        assertThat(read.response().secondsLeft(now)).isBetween(18L, 20L);
        assertThat(read.response().ageSeconds(now)).isBetween(40L, 42L);
    }

    @Test
    void aCopyDueForRefreshIsReloadedFromTheOriginAndStoredAgain() {
        Pod a = new Pod();
        Pod b = new Pod();
        a.get("item:3");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:catalog:item:3") == 1);
        redis.commands().pexpire("test:catalog:item:3", 5_000); // past 80 % of the TTL: refresh-ahead territory

        ResponseCache.Lookup read = b.get("item:3");
        assertThat(read.source()).isEqualTo(CacheSource.ORIGIN);
        assertThat(b.originCalls.get()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().pttl("test:catalog:item:3") > 50_000);
    }

    @Test
    void withRedisKilledLookupsGoToTheOriginAndNeverFail() {
        Pod a = new Pod();
        a.get("item:4");
        redis.kill();

        for (int i = 10; i < 20; i++) {
            ResponseCache.Lookup read = a.get("item:" + i);
            assertThat(read.source()).isEqualTo(CacheSource.ORIGIN);
            assertThat(read.response().status()).isEqualTo(200);
        }
        assertThat(a.get("item:4").source()).as("the local cache still serves").isEqualTo(CacheSource.LOCAL);
        assertThat(a.counter("cache.shared.errors", "reason", "error")
                        + a.counter("cache.shared.errors", "reason", "timeout"))
                .isGreaterThanOrEqualTo(10);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.registry.get("cache.shared.connected").gauge().value() == 0);

        // Back on the same port: Lettuce reconnects and the tier serves again.
        redis.start();
        await().atMost(Duration.ofSeconds(30)).until(a.tier::connected);
        a.get("item:30");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:catalog:item:30") == 1);
    }

    @Test
    void aRedisThatDoesNotAnswerInTimeCostsOnlyTheTimeout() {
        Pod a = new Pod(properties(Duration.ofMillis(20), DataSize.ofMegabytes(1)));
        redis.commands().clientPause(3_000); // every client's commands wait three seconds

        long start = System.nanoTime();
        ResponseCache.Lookup read =
                a.cache.lookup("item:5").orTimeout(1, TimeUnit.SECONDS).join();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(read.source()).isEqualTo(CacheSource.ORIGIN);
        assertThat(tookMillis).as("served long before Redis could answer").isLessThan(1_000);
        assertThat(a.counter("cache.shared.errors", "reason", "timeout")).isEqualTo(1);
    }

    @Test
    void aResponseOverTheBoundIsServedButNotShared() {
        Pod a = new Pod(properties(Duration.ofMillis(50), DataSize.ofBytes(1_000)));
        Pod b = new Pod(properties(Duration.ofMillis(50), DataSize.ofBytes(1_000)));
        a.bodySize = 5_000;
        b.bodySize = 5_000;

        assertThat(a.get("big").response().body()).hasSize(5_000);
        assertThat(a.counter("cache.shared.skipped", "reason", "too_large")).isEqualTo(1);
        assertThat(redis.commands().exists("test:catalog:big")).isZero();
        assertThat(b.get("big").source()).isEqualTo(CacheSource.ORIGIN);

        a.bodySize = 0;
        a.get("small");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:catalog:small") == 1);
    }

    /** A value planted in the shared tier, under {@code test:catalog:KEY}, and the reason it must be refused. */
    private record Planted(String key, byte[] value, String reason) {}

    @Test
    void aPlantedValueIsRefusedAndTheOriginAnswers() {
        Pod pod = new Pod();
        byte[] json = "{\"planted\":true}".getBytes(StandardCharsets.UTF_8);
        byte[] valid = new SharedEntry(200, "application/json", json, 60_000, 0).encode("test:catalog:item:f");
        byte[] garbage = new byte[4096];
        new Random(26).nextBytes(garbage);
        garbage[0] = 0x55;
        List<Planted> cases = List.of(
                new Planted(
                        "item:a",
                        new SharedEntry(200, "application/json", json, 60_000, 0).encode("test:catalog:item:z"),
                        "wrong_key"),
                new Planted(
                        "item:b",
                        new SharedEntry(200, "application/json", json, 60_000, 0).encode("other-api:catalog:item:b"),
                        "wrong_key"),
                new Planted(
                        "item:c",
                        new SharedEntry(200, "application/json\r\nSet-Cookie: session=planted", json, 60_000, 0)
                                .encode("test:catalog:item:c"),
                        "content_type"),
                new Planted(
                        "item:d",
                        new SharedEntry(302, "application/json", json, 60_000, 0).encode("test:catalog:item:d"),
                        "status"),
                new Planted("item:e", garbage, "garbage"),
                new Planted("item:f", Arrays.copyOf(valid, valid.length - 3), "garbage"));

        for (Planted planted : cases) {
            String stored = "test:catalog:" + planted.key();
            redis.binary()
                    .set(
                            stored,
                            planted.value(),
                            SetArgs.Builder.px(Duration.ofDays(365).toMillis()));
            double before = pod.counter("cache.shared.refused", "reason", planted.reason());

            ResponseCache.Lookup read = pod.get(planted.key());

            assertThat(read.source()).as(planted.key()).isEqualTo(CacheSource.ORIGIN);
            assertThat(new String(read.response().body(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"key\":\"" + planted.key() + "\"}");
            assertThat(read.response().contentType()).isEqualTo("application/json");
            assertThat(pod.counter("cache.shared.refused", "reason", planted.reason()))
                    .as(planted.key())
                    .isEqualTo(before + 1);
            // The origin's answer replaces the planted value, with this API's TTL.
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().pttl(stored) <= 60_000);
        }
        assertThat(pod.originCalls.get()).isEqualTo(cases.size());
    }

    @Test
    void aValueWithAYearsExpiryIsFreshForOneTtlAtMost() {
        Pod pod = new Pod();
        byte[] json = "{\"key\":\"item:year\"}".getBytes(StandardCharsets.UTF_8);
        long year = Duration.ofDays(365).toMillis();
        redis.binary()
                .set(
                        "test:catalog:item:year",
                        new SharedEntry(200, "application/json", json, year, 0).encode("test:catalog:item:year"),
                        SetArgs.Builder.px(year));

        ResponseCache.Lookup read = pod.get("item:year");
        long now = Ticker.systemTicker().read();
        assertThat(read.source()).isEqualTo(CacheSource.SHARED);
        assertThat(read.response().secondsLeft(now)).isBetween(58L, 60L);
        assertThat(read.response().ageSeconds(now)).isLessThanOrEqualTo(1L);
    }

    @Test
    void a400MegabyteValueIsRefusedAfterReadingOneMegabyteOfIt() {
        Pod pod = new Pod(properties(Duration.ofMillis(500), DataSize.ofMegabytes(1)));
        String stored = "test:catalog:item:huge";
        redis.binary()
                .set(
                        stored,
                        new SharedEntry(200, "application/json", new byte[16], 60_000, 0).encode(stored),
                        SetArgs.Builder.px(60_000));
        redis.commands().setrange(stored, 400L * 1024 * 1024, "x");
        assertThat(redis.commands().strlen(stored)).isGreaterThan(400L * 1024 * 1024);

        ResponseCache.Lookup read = pod.get("item:huge");
        assertThat(read.source()).isEqualTo(CacheSource.ORIGIN);
        assertThat(pod.counter("cache.shared.refused", "reason", "too_large")).isEqualTo(1);
        assertThat(pod.get("item:huge").source())
                .as("served locally from then on")
                .isEqualTo(CacheSource.LOCAL);
    }

    @Test
    void aPlantedHotKeysListLargerThanTheBoundIsIgnored() {
        Pod pod = new Pod(properties(Duration.ofMillis(500), DataSize.ofBytes(1_000)));
        redis.commands().setrange("test:hot-keys:catalog", 10_000_000L, "x");

        assertThat(pod.tier.hotKeys("catalog").orTimeout(2, TimeUnit.SECONDS).join())
                .isEmpty();
        assertThat(pod.counter("cache.shared.refused", "reason", "too_large")).isEqualTo(1);
    }

    @Test
    void onlyWhatWouldBeAcceptedBackIsStored() {
        assertThat(SharedEntry.storable(200, "application/json; charset=utf-8")).isTrue();
        assertThat(SharedEntry.storable(203, "text/plain")).isTrue();
        assertThat(SharedEntry.storable(201, "application/json")).isFalse();
        assertThat(SharedEntry.storable(200, "application/json\r\nX-Planted: 1"))
                .isFalse();
        assertThat(SharedEntry.storable(200, "application/json; a=\"b\nc\"")).isFalse();
        assertThat(SharedEntry.storable(200, "*/*")).isFalse();
        assertThat(SharedEntry.storable(200, "x-custom/thing")).isFalse();
        assertThat(SharedEntry.storable(200, null)).isFalse();
    }

    @Test
    void aNewPodLoadsTheHotKeysTheRunningPodsPublished() {
        Pod running = new Pod();
        WarmStartProperties warm = new WarmStartProperties(50, Duration.ofSeconds(10));
        CacheWarmStart publisher =
                new CacheWarmStart(warm, running.tier, Duration.ofMillis(100), List.of(running.cache));
        closing.add(publisher);
        for (int round = 0; round < 5; round++) {
            for (int i = 1; i <= 100; i++) {
                if (i <= 50 || round == 0) {
                    running.get("item:" + i); // 1..50 are read five times, 51..100 once
                }
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.commands().exists("test:hot-keys:catalog") == 1);
        publisher.close(); // the list stays as last published (Caffeine's ranking of near-equal keys may move)
        List<String> published =
                List.of(redis.commands().get("test:hot-keys:catalog").split("\n"));
        assertThat(published).hasSize(50);

        Pod fresh = new Pod();
        CacheWarmStart starting = new CacheWarmStart(warm, fresh.tier, Duration.ofMinutes(1), List.of(fresh.cache));
        closing.add(starting);
        assertThat(starting.warm()).isEqualTo(50);
        assertThat(fresh.cache.size()).isEqualTo(50);
        for (String key : published) {
            assertThat(fresh.get(key).source()).isEqualTo(CacheSource.LOCAL);
        }
        assertThat(fresh.originCalls.get())
                .as("warm start never calls the origin")
                .isZero();
    }
}
