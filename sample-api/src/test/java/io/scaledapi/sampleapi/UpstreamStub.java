package io.scaledapi.sampleapi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP server on 127.0.0.1 standing in for a relay upstream. Under {@code /base/}:
 * {@code data/*} (max-age=5), {@code nostore} (no-store), {@code flaky} (200 max-age=1, or 500 when failing),
 * {@code missing} (404), {@code slow} (held until released). It records every path it was asked for.
 */
public final class UpstreamStub implements AutoCloseable {

    public final List<String> requestedPaths = new CopyOnWriteArrayList<>();
    public final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    public final AtomicReference<Boolean> flakyFailing = new AtomicReference<>(false);
    public volatile CountDownLatch slowGate = new CountDownLatch(1);
    private final HttpServer server;

    public UpstreamStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/base");
    }

    public int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        requestedPaths.add(exchange.getRequestURI().toString());
        int n = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        if (path.startsWith("/base/data/")) {
            send(exchange, 200, "public, max-age=5", "{\"path\":\"" + path + "\",\"n\":" + n + "}");
        } else if (path.equals("/base/nostore")) {
            send(exchange, 200, "no-store", "{\"n\":" + n + "}");
        } else if (path.equals("/base/flaky")) {
            if (flakyFailing.get()) {
                send(exchange, 500, null, "{\"error\":\"down\"}");
            } else {
                send(exchange, 200, "max-age=1", "{\"flaky\":" + n + "}");
            }
        } else if (path.equals("/base/slow")) {
            try {
                slowGate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            send(exchange, 200, "max-age=60", "{\"slow\":true}");
        } else {
            send(exchange, 404, null, "{\"error\":\"not here\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, String cacheControl, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (cacheControl != null) {
            exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        slowGate.countDown();
        server.stop(0);
    }
}
