package io.scaledapi.sampleapi;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.scaledapi.sampleapi.cache.CacheProperties;
import io.scaledapi.sampleapi.cache.CacheWarmStart;
import io.scaledapi.sampleapi.cache.RedisSharedTier;
import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.cache.SharedTier;
import io.scaledapi.sampleapi.cache.SharedTierProperties;
import io.scaledapi.sampleapi.cache.WarmStartProperties;
import io.scaledapi.sampleapi.catalog.CatalogKey;
import io.scaledapi.sampleapi.catalog.CatalogOrigin;
import io.scaledapi.sampleapi.catalog.OriginProperties;
import io.scaledapi.sampleapi.connections.ConnectionLimits;
import io.scaledapi.sampleapi.connections.ConnectionProperties;
import io.scaledapi.sampleapi.relay.QueryVariants;
import io.scaledapi.sampleapi.relay.RelayOrigin;
import io.scaledapi.sampleapi.relay.RelayTarget;
import io.scaledapi.sampleapi.relay.UpstreamProperties;
import io.scaledapi.sampleapi.web.ApiResponse;
import io.scaledapi.sampleapi.web.ApiRoutes;
import io.scaledapi.sampleapi.web.CachedResponses;
import io.scaledapi.sampleapi.web.ProblemExceptionHandler;
import io.scaledapi.sampleapi.web.RequestTags;
import io.scaledapi.sampleapi.web.ResponseRendering;
import io.scaledapi.sampleapi.web.UnreadRequests;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

@Configuration(proxyBeanMethods = false)
class SampleApiConfiguration {

    /**
     * The API server's connection bounds (the management server, on its own port and loop, keeps Spring's: a scrape
     * and a probe are the operator's and the kubelet's).
     */
    @Bean
    ConnectionLimits connectionLimits(ConnectionProperties properties, MeterRegistry registry) {
        return new ConnectionLimits(properties, registry);
    }

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> apiConnectionLimits(ConnectionLimits limits) {
        return factory -> factory.addServerCustomizers(limits::apply);
    }

    /** The cache's clock; tests replace it with one they move by hand. */
    @Bean
    Ticker cacheTicker() {
        return Ticker.systemTicker();
    }

    @Bean(destroyMethod = "close")
    CatalogOrigin catalogOrigin(OriginProperties properties) {
        return new CatalogOrigin(properties);
    }

    /** The shared tier behind the pod's cache when {@code REDIS_URL} is set, none otherwise. */
    @Bean
    SharedTier sharedTier(SharedTierProperties properties, MeterRegistry registry) {
        return properties.enabled() ? new RedisSharedTier(properties, registry) : SharedTier.NONE;
    }

    @Bean
    ResponseCache<CatalogKey> catalogCache(
            CatalogOrigin origin,
            SharedTier shared,
            CacheProperties properties,
            Ticker ticker,
            MeterRegistry registry) {
        return new ResponseCache<>("catalog", origin, shared, CatalogKey.CODEC, properties, ticker, registry);
    }

    @Bean
    ApiRoutes apiRoutes(
            ResponseCache<CatalogKey> catalogCache,
            SharedTier shared,
            UpstreamProperties upstream,
            CacheProperties cacheProperties,
            Ticker ticker,
            MeterRegistry registry,
            ResponseRendering rendering,
            AdmissionProperties admission) {
        ResponseCache<RelayTarget> relayCache = upstream.enabled()
                ? new ResponseCache<>(
                        "relay",
                        new RelayOrigin(upstream),
                        shared,
                        RelayTarget.CODEC,
                        cacheProperties,
                        ticker,
                        registry)
                : null;
        return new ApiRoutes(
                catalogCache,
                relayCache,
                upstream.enabled()
                        ? new QueryVariants(upstream.maxQueriesPerPath(), cacheProperties.ttl(), registry)
                        : null,
                upstream.url(),
                new CachedResponses(ticker),
                registry,
                rendering,
                admission.maxInFlight());
    }

    @Bean(destroyMethod = "close")
    CacheWarmStart cacheWarmStart(
            WarmStartProperties settings, SharedTier shared, SharedTierProperties sharedSettings, ApiRoutes routes) {
        return new CacheWarmStart(settings, shared, sharedSettings.hotKeysInterval(), routes.caches());
    }

    /**
     * Requests waiting unread on the API's connections, as a gauge ({@code http_server_unread}): with the requests
     * counted as they are read ({@code http_server_arrivals_total}), what was sent to this replica, even while it is
     * CPU-throttled and reads only as fast as it serves.
     */
    @Bean(destroyMethod = "close")
    UnreadRequests unreadRequests(MeterRegistry registry, @Value("${unread-requests.interval:0s}") Duration interval) {
        UnreadRequests unread = new UnreadRequests();
        if (interval.isZero()) {
            return unread; // off: no gauge, and the operator reads what the replica read and served
        }
        unread.start(interval);
        Gauge.builder("http.server.unread", unread, UnreadRequests::latest)
                .description("API requests sent to this replica and not yet read: connections with unread bytes")
                .register(registry);
        return unread;
    }

    /** The API server's port, for {@link UnreadRequests}; the management server's is another namespace's. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> apiPortForUnreadRequests(UnreadRequests unread) {
        return event -> {
            if (event.getApplicationContext().getServerNamespace() == null) {
                unread.port(event.getWebServer().getPort());
            }
        };
    }

    /** The API routes go to Reactor Netty ahead of Spring's handler, which serves everything else on the port. */
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> apiRoutesOnNetty(ApiRoutes apiRoutes) {
        return factory -> factory.addRouteProviders(apiRoutes::addTo);
    }

    /** Request series take only known tag values, whatever clients send: the metrics page stays bounded. */
    @Bean
    MeterFilter boundedRequestTags() {
        return RequestTags.filter();
    }

    /** Anything that is neither the API nor Actuator: a problem body, never a framework error page. */
    @Bean
    RouterFunction<ServerResponse> notFound() {
        ApiResponse problem = ApiResponse.problem(
                404, "Not Found", "no such resource; try GET /api/items/{id} or GET /api/items?page=0&size=20", null);
        return RouterFunctions.route(
                request -> true,
                request -> ServerResponse.status(HttpStatus.NOT_FOUND)
                        .contentType(MediaType.parseMediaType(problem.contentType()))
                        .bodyValue(problem.body()));
    }

    @Bean
    ProblemExceptionHandler problemExceptionHandler() {
        return new ProblemExceptionHandler();
    }

    @Bean
    StartupWarmup startupWarmup(WarmupProperties settings, CacheWarmStart cacheWarmStart, ApiRoutes routes) {
        return new StartupWarmup(settings, cacheWarmStart, routes);
    }

    /** Part of the readiness group: the origin's worker pool runs (and, through the bean graph, the cache exists). */
    @Bean
    HealthIndicator originHealthIndicator(CatalogOrigin origin, ResponseCache<CatalogKey> catalogCache) {
        return () -> origin.isRunning()
                ? Health.up().withDetail("cachedEntries", catalogCache.size()).build()
                : Health.down()
                        .withDetail("reason", "origin worker pool not running")
                        .build();
    }
}
