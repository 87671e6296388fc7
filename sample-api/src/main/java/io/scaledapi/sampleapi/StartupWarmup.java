package io.scaledapi.sampleapi;

import io.scaledapi.sampleapi.cache.CacheWarmStart;
import io.scaledapi.sampleapi.web.ApiRoutes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationListener;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * A new replica warms up before it reports ready: first its cache, from the shared tier ({@link CacheWarmStart},
 * {@code CACHE_WARM_KEYS}), then with {@code WARMUP_REQUESTS=N} it sends N requests to itself
 * through its own HTTP port ({@code GET /api/items/1..N}, {@code WARMUP_CONCURRENCY} at a time), so that the request
 * path's classes are loaded and compiled, and those items cached, when the first real request arrives. They are not
 * counted as traffic ({@link ApiRoutes#warmingUp}). Under a small
 * CPU limit a JVM that had never served a request took seconds per request at first (p95 of 6 s for five seconds after
 * a pod joined the Service). It runs between the application's start and its readiness (Spring Boot publishes
 * ACCEPTING_TRAFFIC only after the started listeners return), bounded by {@code WARMUP_TIMEOUT}; past that the pod
 * becomes ready anyway and says so.
 */
final class StartupWarmup implements ApplicationListener<ApplicationStartedEvent> {

    private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);

    private final WarmupProperties settings;
    private final CacheWarmStart cacheWarmStart;
    private final ApiRoutes routes;

    StartupWarmup(WarmupProperties settings, CacheWarmStart cacheWarmStart, ApiRoutes routes) {
        this.settings = settings;
        this.cacheWarmStart = cacheWarmStart;
        this.routes = routes;
    }

    @Override
    public void onApplicationEvent(ApplicationStartedEvent event) {
        cacheWarmStart.warm(); // first, so that the requests below find the hot entries already cached
        if (settings.requests() == 0 || !(event.getApplicationContext() instanceof WebServerApplicationContext web)) {
            return;
        }
        String address = event.getApplicationContext().getEnvironment().getProperty("server.address", "127.0.0.1");
        String host = address.equals("0.0.0.0") || address.equals("::") ? "127.0.0.1" : address;
        HttpClient client = HttpClient.create()
                .baseUrl("http://" + host + ":" + web.getWebServer().getPort());
        AtomicInteger ok = new AtomicInteger();
        long start = System.nanoTime();
        routes.warmingUp(true);
        try {
            Flux.range(1, settings.requests())
                    .flatMap(
                            id -> client.get()
                                    .uri("/api/items/" + id)
                                    .responseSingle((response, body) -> body.then()
                                            .doOnSuccess(v -> {
                                                if (response.status().code() == 200) {
                                                    ok.incrementAndGet();
                                                }
                                            })),
                            settings.concurrency())
                    .then()
                    .block(settings.timeout());
            log.info(
                    "warmed up with {} requests ({} answered 200) in {} ms; ready for traffic",
                    settings.requests(),
                    ok.get(),
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
        } catch (RuntimeException e) {
            log.warn(
                    "warm-up stopped after {} of {} requests ({}); becoming ready anyway",
                    ok.get(),
                    settings.requests(),
                    e.getMessage());
        } finally {
            routes.warmingUp(false);
        }
    }
}
