package io.scaledapi.sampleapi.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaledapi.sampleapi.ManualTicker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {

    private static final Duration TTL = Duration.ofSeconds(60);
    private static final Duration STALE_IF_ERROR = Duration.ofMinutes(5);

    private final ManualTicker ticker = new ManualTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ScriptedOrigin origin = new ScriptedOrigin();
    private final ResponseCache<String> cache = new ResponseCache<>(
            "test",
            origin,
            new CacheProperties(TTL, 1000, STALE_IF_ERROR, 0.8, org.springframework.util.unit.DataSize.ofMegabytes(64)),
            ticker,
            registry);
    private final ExecutorService threads = Executors.newFixedThreadPool(32);

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void missThenHitThenMissAfterExpiry() {
        ResponseCache.Lookup first = cache.lookup("a").join();
        assertThat(first.outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(body(first)).isEqualTo("a#1");

        ticker.advance(Duration.ofSeconds(30));
        ResponseCache.Lookup second = cache.lookup("a").join();
        assertThat(second.outcome()).isEqualTo(CacheOutcome.HIT);
        assertThat(body(second)).isEqualTo("a#1");
        assertThat(second.response().secondsLeft(ticker.read())).isEqualTo(30);
        assertThat(origin.calls.get()).isEqualTo(1);

        ticker.advance(Duration.ofSeconds(31));
        ResponseCache.Lookup third = cache.lookup("a").join();
        assertThat(third.outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(body(third)).isEqualTo("a#2");
        assertThat(origin.calls.get()).isEqualTo(2);
        assertThat(registry.get("origin.requests")
                        .tag("outcome", "success")
                        .timer()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aThousandConcurrentMissesOnOneKeyMakeOneOriginCall() throws Exception {
        origin.hold();
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<CompletableFuture<ResponseCache.Lookup>>> requests = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            requests.add(CompletableFuture.supplyAsync(
                    () -> {
                        awaitLatch(start);
                        return cache.lookup("hot");
                    },
                    threads));
        }
        start.countDown();
        List<CompletableFuture<ResponseCache.Lookup>> lookups = new ArrayList<>();
        for (var request : requests) {
            lookups.add(request.get());
        }
        assertThat(lookups).noneMatch(CompletableFuture::isDone);
        origin.release();

        for (var lookup : lookups) {
            ResponseCache.Lookup result = lookup.join();
            assertThat(result.outcome()).isEqualTo(CacheOutcome.MISS);
            assertThat(body(result)).isEqualTo("hot#1");
        }
        assertThat(origin.calls.get()).isEqualTo(1);
    }

    @Test
    void servesStaleWithinTheBoundWhenTheOriginFailsThenGivesUp() {
        cache.lookup("s").join();
        origin.failing.set(true);

        ticker.advance(TTL.plusSeconds(1));
        ResponseCache.Lookup stale = cache.lookup("s").join();
        assertThat(stale.outcome()).isEqualTo(CacheOutcome.STALE);
        assertThat(body(stale)).isEqualTo("s#1");
        assertThat(registry.get("cache.stale.served").counter().count()).isEqualTo(1);
        assertThat(registry.get("origin.requests")
                        .tag("outcome", "error")
                        .timer()
                        .count())
                .isEqualTo(1);

        ticker.advance(STALE_IF_ERROR);
        assertThatThrownBy(() -> cache.lookup("s").join())
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(OriginUnavailableException.class);

        origin.failing.set(false);
        ResponseCache.Lookup recovered = cache.lookup("s").join();
        assertThat(recovered.outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(body(recovered)).isEqualTo("s#4");
    }

    @Test
    void aFailedFirstLoadIsNotCached() {
        origin.failing.set(true);
        assertThatThrownBy(() -> cache.lookup("f").join()).hasCauseInstanceOf(OriginUnavailableException.class);
        origin.failing.set(false);
        assertThat(cache.lookup("f").join().outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(origin.calls.get()).isEqualTo(2);
    }

    @Test
    void readsLateInTheTtlRefreshInTheBackgroundSoHotKeysNeverExpire() {
        cache.lookup("r").join();
        ticker.advance(Duration.ofSeconds(40));
        assertThat(cache.lookup("r").join().outcome()).isEqualTo(CacheOutcome.HIT);
        assertThat(origin.calls.get()).as("before 80%% of the TTL, no refresh").isEqualTo(1);

        ticker.advance(Duration.ofSeconds(10)); // 50 s: past 80 % of 60 s
        ResponseCache.Lookup lateRead = cache.lookup("r").join();
        assertThat(lateRead.outcome()).isEqualTo(CacheOutcome.HIT);
        assertThat(body(lateRead)).isEqualTo("r#1");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> body(cache.lookup("r").join()).equals("r#2"));

        ticker.advance(Duration.ofSeconds(30)); // 80 s: the first load would have expired, the refreshed one has not
        ResponseCache.Lookup afterOriginalExpiry = cache.lookup("r").join();
        assertThat(afterOriginalExpiry.outcome()).isEqualTo(CacheOutcome.HIT);
        assertThat(body(afterOriginalExpiry)).isEqualTo("r#2");
        assertThat(origin.calls.get()).isEqualTo(2);
    }

    @Test
    void noStoreAnswersAreNeverCached() {
        origin.cacheable.set(false);
        assertThat(cache.lookup("n").join().outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(cache.lookup("n").join().outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(origin.calls.get()).isEqualTo(2);
        assertThat(cache.lookup("n").join().response().storable()).isFalse();
    }

    @Test
    void originMaxAgeShortensTheTtl() {
        origin.maxAge.set(Duration.ofSeconds(5));
        cache.lookup("m").join();
        ticker.advance(Duration.ofSeconds(3)); // under 80 % of 5 s, so no refresh ahead
        assertThat(cache.lookup("m").join().outcome()).isEqualTo(CacheOutcome.HIT);
        ticker.advance(Duration.ofSeconds(3));
        assertThat(cache.lookup("m").join().outcome()).isEqualTo(CacheOutcome.MISS);
        assertThat(origin.calls.get()).isEqualTo(2);
    }

    @Test
    void theByteBoundHoldsWhateverTheEntriesWeigh() {
        ResponseCache<String> bounded = new ResponseCache<>(
                "bytes",
                key -> CompletableFuture.completedFuture(OriginResponse.json(new byte[1024 * 1024])),
                new CacheProperties(
                        TTL, 1000, STALE_IF_ERROR, 0.8, org.springframework.util.unit.DataSize.ofMegabytes(5)),
                ticker,
                registry);
        for (int i = 0; i < 50; i++) {
            assertThat(bounded.lookup("big" + i).join().response().body()).hasSize(1024 * 1024);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bounded.weightedBytes() <= 5L * 1024 * 1024);
        assertThat(bounded.size()).as("1 MiB entries: at most five fit").isLessThanOrEqualTo(5);
    }

    @Test
    void theSizeBoundHolds() {
        ResponseCache<String> small = new ResponseCache<>(
                "small",
                origin,
                new CacheProperties(
                        TTL, 10, STALE_IF_ERROR, 0.8, org.springframework.util.unit.DataSize.ofMegabytes(64)),
                ticker,
                registry);
        for (int i = 0; i < 100; i++) {
            small.lookup("k" + i).join();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> small.size() <= 10);
        assertThat(registry.get("cache.evictions")
                        .tag("cache", "small")
                        .functionCounter()
                        .count())
                .isGreaterThanOrEqualTo(90);
    }

    private static String body(ResponseCache.Lookup lookup) {
        return new String(lookup.response().body(), StandardCharsets.UTF_8);
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An origin that answers "key#n" (n counts calls), and can be held, made to fail, or to forbid storing. */
    private static final class ScriptedOrigin implements Origin<String> {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Boolean> failing = new AtomicReference<>(false);
        final AtomicReference<Boolean> cacheable = new AtomicReference<>(true);
        final AtomicReference<Duration> maxAge = new AtomicReference<>();
        private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);

        void hold() {
            gate = new CompletableFuture<>();
        }

        void release() {
            gate.complete(null);
        }

        @Override
        public CompletableFuture<OriginResponse> fetch(String key) {
            int n = calls.incrementAndGet();
            return gate.thenApply(ignored -> {
                if (failing.get()) {
                    throw new OriginUnavailableException("scripted failure");
                }
                return new OriginResponse(
                        200,
                        (key + "#" + n).getBytes(StandardCharsets.UTF_8),
                        "text/plain",
                        maxAge.get(),
                        cacheable.get());
            });
        }
    }
}
