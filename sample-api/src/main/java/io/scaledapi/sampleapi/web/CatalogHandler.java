package io.scaledapi.sampleapi.web;

import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.catalog.Catalog;
import io.scaledapi.sampleapi.catalog.CatalogKey;

import reactor.core.publisher.Mono;

/** {@code GET /api/items/{id}} and {@code GET /api/items?page=&size=}, served through the cache. */
public final class CatalogHandler {

    static final int DEFAULT_PAGE_SIZE = 20;

    private final ResponseCache<CatalogKey> cache;
    private final CachedResponseWriter writer;

    public CatalogHandler(ResponseCache<CatalogKey> cache, CachedResponseWriter writer) {
        this.cache = cache;
        this.writer = writer;
    }

    public Mono<ServerResponse> item(ServerRequest request) {
        String raw = request.pathVariable("id");
        Integer id = parseNonNegative(raw);
        if (id == null) {
            return ProblemResponses.respond(HttpStatus.BAD_REQUEST,
                    "item id must be a whole number from 1 to " + Catalog.SIZE + ", got '" + abbreviate(raw) + "'",
                    request.path());
        }
        if (!Catalog.contains(id)) {
            return ProblemResponses.respond(HttpStatus.NOT_FOUND,
                    "no item with id " + id + "; ids run from 1 to " + Catalog.SIZE, request.path());
        }
        return writer.serve(request, cache, new CatalogKey.Item(id));
    }

    public Mono<ServerResponse> page(ServerRequest request) {
        Optional<String> rawPage = request.queryParam("page");
        Optional<String> rawSize = request.queryParam("size");
        Integer page = rawPage.isPresent() ? parseNonNegative(rawPage.get()) : Integer.valueOf(0);
        Integer size = rawSize.isPresent() ? parseNonNegative(rawSize.get()) : Integer.valueOf(DEFAULT_PAGE_SIZE);
        if (page == null) {
            return ProblemResponses.respond(HttpStatus.BAD_REQUEST,
                    "page must be a whole number from 0, got '" + abbreviate(rawPage.orElse("")) + "'", request.path());
        }
        if (size == null || size < 1 || size > Catalog.MAX_PAGE_SIZE) {
            return ProblemResponses.respond(HttpStatus.BAD_REQUEST, "size must be a whole number from 1 to "
                    + Catalog.MAX_PAGE_SIZE + ", got '" + abbreviate(rawSize.orElse("")) + "'", request.path());
        }
        int pages = Catalog.pageCount(size);
        if (page >= pages) {
            return ProblemResponses.respond(HttpStatus.NOT_FOUND,
                    "page " + page + " is past the last page, " + (pages - 1) + ", for size " + size, request.path());
        }
        return writer.serve(request, cache, new CatalogKey.Page(page, size));
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
