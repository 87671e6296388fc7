package io.scaledapi.sampleapi.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.catalog.Catalog;
import io.scaledapi.sampleapi.catalog.CatalogKey;
import io.scaledapi.sampleapi.relay.QueryVariants;
import io.scaledapi.sampleapi.relay.RelayTarget;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;

/**
 * The API's own routes, {@code /api/items...} and {@code /relay/...}, served by Reactor Netty directly, ahead of
 * Spring's web stack (which keeps the not-found fallback; Actuator is on the management port). The cached read is the
 * hot path of every pod the operator scales, and this cuts its per-request cost by about half (bench/sample-api.sh).
 * Each request is timed as {@code http.server.requests} with the same tags Spring uses, so the operator reads one
 * series whichever stack answered.
 */
public final class ApiRoutes {

    private static final Logger log = LoggerFactory.getLogger(ApiRoutes.class);
    private static final String ITEMS = "/api/items";
    private static final String ITEM_TEMPLATE = "/api/items/{id}";
    private static final String RELAY_PREFIX = "/relay/";
    private static final String RELAY_TEMPLATE = "/relay/{*path}";
    static final int DEFAULT_PAGE_SIZE = 20;

    private final ResponseCache<CatalogKey> catalog;
    private final ResponseCache<RelayTarget> relay; // null when relay mode is off
    private final QueryVariants queryVariants; // null when relay mode is off
    private final URI upstream;
    private final CachedResponses responses;
    private final MeterRegistry registry;
    private final ResponseRendering rendering;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    /** Every API request, counted as it is received and before any work on it: demand, even when it is shed. */
    private final Counter arrivals;
    /** Requests answered 503 at once because {@link #maxInFlight} were already in flight. */
    private final Counter shed;
    /** The bound on requests in flight; 0 for none. */
    private final int maxInFlight;

    private final AtomicInteger inFlight = new AtomicInteger();
    /** True while the replica serves its own warm-up requests, which are not traffic and must not be counted. */
    private volatile boolean warmingUp;

    public ApiRoutes(
            ResponseCache<CatalogKey> catalog,
            ResponseCache<RelayTarget> relay,
            QueryVariants queryVariants,
            URI upstream,
            CachedResponses responses,
            MeterRegistry registry,
            ResponseRendering rendering,
            int maxInFlight) {
        this.catalog = catalog;
        this.relay = relay;
        this.queryVariants = queryVariants;
        this.upstream = upstream;
        this.responses = responses;
        this.registry = registry;
        this.rendering = rendering;
        this.maxInFlight = maxInFlight;
        this.arrivals = Counter.builder("http.server.arrivals")
                .description("API requests received, counted before any work on them")
                .register(registry);
        this.shed = Counter.builder("http.server.shed")
                .description("API requests answered 503 at once, beyond the bound on requests in flight")
                .register(registry);
    }

    /** The caches behind these routes: the catalog's, and the relay's in relay mode. */
    public List<ResponseCache<?>> caches() {
        return relay == null ? List.of(catalog) : List.of(catalog, relay);
    }

    /**
     * Adds these routes to the API's server. Not a {@code NettyRouteProvider} bean: Spring would hand such a bean to
     * every Netty server of the application, the management server's too.
     */
    public HttpServerRoutes addTo(HttpServerRoutes routes) {
        return routes.route(request -> isApiPath(request.uri()), this::handle);
    }

    static boolean isApiPath(String uri) {
        return uri.startsWith(RELAY_PREFIX)
                || uri.equals("/relay")
                || (uri.startsWith(ITEMS)
                        && (uri.length() == ITEMS.length() || "/?".indexOf(uri.charAt(ITEMS.length())) >= 0));
    }

    private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
        boolean counted = !warmingUp;
        if (counted) {
            arrivals.increment();
        }
        if (maxInFlight <= 0) {
            return serve(request, response);
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            if (counted) {
                shed.increment();
            }
            // Not timed in http.server.requests: that series is what the replica served.
            return send(request, response, SHED);
        }
        return serve(request, response).doFinally(signal -> inFlight.decrementAndGet());
    }

    private static final ApiResponse SHED = ApiResponse.problem(
                    503, "Service Unavailable", "this replica is at its bound on requests in flight; retry", null)
            .withHeader("Retry-After", "1");

    private Mono<Void> serve(HttpServerRequest request, HttpServerResponse response) {
        long start = System.nanoTime();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath();
        String template = path.startsWith(RELAY_PREFIX) || path.equals("/relay")
                ? RELAY_TEMPLATE
                : path.equals(ITEMS) ? ITEMS : ITEM_TEMPLATE;
        HttpMethod method = request.method();
        CompletableFuture<ApiResponse> result;
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            result = CompletableFuture.completedFuture(
                    ApiResponse.problem(405, "Method Not Allowed", "only GET is supported here", path)
                            .withHeader("Allow", "GET, HEAD"));
        } else {
            List<String> ifNoneMatch = request.requestHeaders().getAll(HttpHeaderNames.IF_NONE_MATCH);
            result = switch (template) {
                case ITEMS -> page(uri, path, ifNoneMatch);
                case ITEM_TEMPLATE -> item(path, ifNoneMatch);
                default -> relay(path, uri.rawQuery(), ifNoneMatch);
            };
        }
        if (result.isDone() && !result.isCompletedExceptionally()) {
            return write(request, response, result.join(), template, start);
        }
        return Mono.fromFuture(result, true)
                .onErrorResume(e -> {
                    log.error("unhandled error on {} {}", method, path, e);
                    return Mono.just(ApiResponse.problem(500, "Internal Server Error", "internal error", path));
                })
                .flatMap(r -> write(request, response, r, template, start));
    }

    private CompletableFuture<ApiResponse> item(String path, List<String> ifNoneMatch) {
        String raw = path.length() > ITEMS.length() + 1 ? path.substring(ITEMS.length() + 1) : "";
        Integer id = parseNonNegative(raw);
        if (raw.indexOf('/') >= 0) {
            return done(ApiResponse.problem(
                    404,
                    "Not Found",
                    "no such resource; try GET /api/items/{id} or GET /api/items?page=0&size=20",
                    path));
        }
        if (id == null) {
            return done(ApiResponse.problem(
                    400,
                    "Bad Request",
                    "item id must be a whole number from 1 to " + Catalog.SIZE + ", got '" + abbreviate(raw) + "'",
                    path));
        }
        if (!Catalog.contains(id)) {
            return done(ApiResponse.problem(
                    404, "Not Found", "no item with id " + id + "; ids run from 1 to " + Catalog.SIZE, path));
        }
        return responses.serve(catalog, new CatalogKey.Item(id), ifNoneMatch, path);
    }

    private CompletableFuture<ApiResponse> page(QueryStringDecoder uri, String path, List<String> ifNoneMatch) {
        List<String> rawPage = uri.parameters().get("page");
        List<String> rawSize = uri.parameters().get("size");
        Integer page = rawPage == null ? Integer.valueOf(0) : parseNonNegative(rawPage.get(0));
        Integer size = rawSize == null ? Integer.valueOf(DEFAULT_PAGE_SIZE) : parseNonNegative(rawSize.get(0));
        if (page == null) {
            return done(ApiResponse.problem(
                    400,
                    "Bad Request",
                    "page must be a whole number from 0, got '" + abbreviate(rawPage.get(0)) + "'",
                    path));
        }
        if (size == null || size < 1 || size > Catalog.MAX_PAGE_SIZE) {
            return done(ApiResponse.problem(
                    400,
                    "Bad Request",
                    "size must be a whole number from 1 to " + Catalog.MAX_PAGE_SIZE + ", got '"
                            + abbreviate(rawSize.get(0)) + "'",
                    path));
        }
        int pages = Catalog.pageCount(size);
        if (page >= pages) {
            return done(ApiResponse.problem(
                    404,
                    "Not Found",
                    "page " + page + " is past the last page, " + (pages - 1) + ", for size " + size,
                    path));
        }
        return responses.serve(catalog, new CatalogKey.Page(page, size), ifNoneMatch, path);
    }

    private CompletableFuture<ApiResponse> relay(String path, String rawQuery, List<String> ifNoneMatch) {
        if (relay == null) {
            return done(ApiResponse.problem(404, "Not Found", "relay mode is off: UPSTREAM_URL is not set", null));
        }
        RelayTarget target;
        try {
            target = RelayTarget.parse(
                    path.length() > RELAY_PREFIX.length() ? path.substring(RELAY_PREFIX.length()) : "",
                    rawQuery.isEmpty() ? null : rawQuery);
            target.resolveAgainst(upstream); // refused here, not later as an origin failure
        } catch (RelayTarget.RefusedException e) {
            return done(ApiResponse.problem(400, "Bad Request", e.getMessage(), null));
        }
        return queryVariants.cacheable(target)
                ? responses.serve(relay, target, ifNoneMatch, path)
                : responses.serveUncached(relay, target, ifNoneMatch, path);
    }

    private Mono<Void> write(
            HttpServerRequest request, HttpServerResponse response, ApiResponse api, String template, long start) {
        rendering.render(api.body());
        if (!warmingUp) {
            timer(RequestTags.method(request.method().name()), template, api.status())
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        return send(request, response, api);
    }

    private static Mono<Void> send(HttpServerRequest request, HttpServerResponse response, ApiResponse api) {
        response.status(HttpResponseStatus.valueOf(api.status()));
        for (Map.Entry<String, String> header : api.headers()) {
            response.header(header.getKey(), header.getValue());
        }
        if (api.body() == null) {
            return response.send();
        }
        response.header(HttpHeaderNames.CONTENT_TYPE, api.contentType());
        response.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(api.body().length));
        if (HttpMethod.HEAD.equals(request.method())) {
            return response.send();
        }
        return response.sendObject(Unpooled.wrappedBuffer(api.body())).then();
    }

    /**
     * While on, requests are served but not counted in {@code http.server.requests}: the autoscaler reads that
     * series as the replica's traffic, and a new replica's warm-up counted there looked like a burst of load (an
     * end-to-end run measured 2,500 req/s while k6 sent 1,500, and started pods it then dropped).
     */
    public void warmingUp(boolean on) {
        warmingUp = on;
    }

    /** One timer per method, route and status, tagged as Spring tags {@code http.server.requests}. */
    private Timer timer(String method, String template, int status) {
        String key = method + ' ' + template + ' ' + status;
        Timer timer = timers.get(key);
        if (timer == null) {
            timer = timers.computeIfAbsent(
                    key,
                    k -> Timer.builder("http.server.requests")
                            .description("Duration of HTTP server request handling")
                            .tag("method", method)
                            .tag("uri", template)
                            .tag("status", Integer.toString(status))
                            .tag("outcome", outcome(status))
                            .tag("exception", "none")
                            .tag("error", "none")
                            .register(registry));
        }
        return timer;
    }

    private static String outcome(int status) {
        return status < 200
                ? "INFORMATIONAL"
                : status < 300
                        ? "SUCCESS"
                        : status < 400 ? "REDIRECTION" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR";
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    /** Digits only (no sign, no spaces), at most nine of them; null for anything else. */
    static Integer parseNonNegative(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 9) {
            return null;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) < '0' || raw.charAt(i) > '9') {
                return null;
            }
        }
        return Integer.parseInt(raw);
    }

    static String abbreviate(String raw) {
        return raw.length() <= 40 ? raw : raw.substring(0, 40) + "…";
    }
}
