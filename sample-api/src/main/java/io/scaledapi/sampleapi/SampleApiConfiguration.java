package io.scaledapi.sampleapi;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.github.benmanes.caffeine.cache.Ticker;

import io.micrometer.core.instrument.MeterRegistry;
import io.scaledapi.sampleapi.cache.CacheProperties;
import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.catalog.CatalogKey;
import io.scaledapi.sampleapi.catalog.CatalogOrigin;
import io.scaledapi.sampleapi.catalog.OriginProperties;
import io.scaledapi.sampleapi.relay.RelayOrigin;
import io.scaledapi.sampleapi.relay.RelayTarget;
import io.scaledapi.sampleapi.relay.UpstreamProperties;
import io.scaledapi.sampleapi.web.CachedResponseWriter;
import io.scaledapi.sampleapi.web.CatalogHandler;
import io.scaledapi.sampleapi.web.ProblemExceptionHandler;
import io.scaledapi.sampleapi.web.ProblemResponses;
import io.scaledapi.sampleapi.web.RelayHandler;
import tools.jackson.databind.json.JsonMapper;

@Configuration(proxyBeanMethods = false)
class SampleApiConfiguration {

    /** The cache's clock; tests replace it with one they move by hand. */
    @Bean
    Ticker cacheTicker() {
        return Ticker.systemTicker();
    }

    @Bean(destroyMethod = "close")
    CatalogOrigin catalogOrigin(OriginProperties properties) {
        return new CatalogOrigin(properties);
    }

    @Bean
    ResponseCache<CatalogKey> catalogCache(CatalogOrigin origin, CacheProperties properties, Ticker ticker, MeterRegistry registry) {
        return new ResponseCache<>("catalog", origin, properties, ticker, registry);
    }

    @Bean
    CachedResponseWriter cachedResponseWriter(Ticker ticker) {
        return new CachedResponseWriter(ticker);
    }

    @Bean
    RouterFunction<ServerResponse> routes(ResponseCache<CatalogKey> catalogCache, CachedResponseWriter writer,
            UpstreamProperties upstream, CacheProperties cacheProperties, Ticker ticker, MeterRegistry registry) {
        CatalogHandler catalog = new CatalogHandler(catalogCache, writer);
        RouterFunctions.Builder routes = RouterFunctions.route()
                .GET("/api/items/{id}", catalog::item)
                .GET("/api/items", catalog::page);
        if (upstream.enabled()) {
            ResponseCache<RelayTarget> relayCache = new ResponseCache<>("relay", new RelayOrigin(upstream),
                    cacheProperties, ticker, registry);
            routes.GET("/relay/**", new RelayHandler(upstream.url(), relayCache, writer)::relay);
        } else {
            routes.GET("/relay/**", RelayHandler::disabled);
        }
        // Known paths with another method, then anything else: problem bodies, never a framework error page.
        return routes
                .route(path("/api/items").or(path("/api/items/{id}")).or(path("/relay/**")).and(GET("/**").negate()),
                        request -> ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED).header("Allow", "GET")
                                .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                                .bodyValue(ProblemResponses.problem(HttpStatus.METHOD_NOT_ALLOWED,
                                        "only GET is supported here", request.path())))
                .route(request -> true, request -> ProblemResponses.respond(HttpStatus.NOT_FOUND,
                        "no such resource; try GET /api/items/{id} or GET /api/items?page=0&size=20", request.path()))
                .build();
    }

    @Bean
    ProblemExceptionHandler problemExceptionHandler(ObjectProvider<JsonMapper> json) {
        return new ProblemExceptionHandler(json.getIfAvailable(JsonMapper::new));
    }

    /** Part of the readiness group: the origin's worker pool runs (and, through the bean graph, the cache exists). */
    @Bean
    HealthIndicator originHealthIndicator(CatalogOrigin origin, ResponseCache<CatalogKey> catalogCache) {
        return () -> origin.isRunning() ? Health.up().withDetail("cachedEntries", catalogCache.size()).build()
                : Health.down().withDetail("reason", "origin worker pool not running").build();
    }
}
