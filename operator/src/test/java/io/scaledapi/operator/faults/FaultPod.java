package io.scaledapi.operator.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The fault suite's pod: the program of the image {@code scaledapi/fault-pod:dev} (dev/images builds it from
 * operator/src/test/fault-pod/Dockerfile), which the real node runs for the ScaledApis of dev/faults. It answers the
 * probes of the operator's pod template on the metrics port, and serves Prometheus text there whose request counter
 * grows at the rate the suite sets, or misbehaves in one of the ways a broken pod does. Twice a second it asks the
 * suite's control endpoint ({@code FAULT_CONTROL}, on the node's address) for its plan: what to answer and its share
 * of the API's load. When the suite does not answer, it keeps its last plan.
 */
public final class FaultPod {

    /** What the metrics endpoint answers. */
    public enum Behavior {
        GOOD,
        GARBAGE,
        NAN,
        NEGATIVE,
        /** The counter moves by 10^9 once, then counts on as before. */
        JUMP,
        /** 100 MB. */
        HUGE,
        /** Accepts, never answers. */
        SILENT,
        /** One byte a second. */
        DRIP
    }

    private static final long HUGE_BYTES = 100L * 1024 * 1024;
    private static final int HOLD_SECONDS = 30;
    private static final Duration POLL = Duration.ofMillis(500);

    private final GrowingCounter requests = new GrowingCounter();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private volatile Behavior behavior = Behavior.GOOD;
    private volatile String plan = "";
    private boolean jumped;

    public static void main(String[] args) throws Exception {
        FaultPod pod = new FaultPod();
        String name = Files.readString(Path.of("/etc/hostname")).trim();
        URI control =
                URI.create(System.getenv("FAULT_CONTROL") + "&pod=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        Runtime.getRuntime().addShutdownHook(new Thread(pod.stopped::countDown));
        // The plan comes before the probes pass: a pod must never answer a scrape with what it was not told to (64
        // JVMs starting at once on two cores can take seconds to get their first answer from the suite).
        if (!pod.follow(control, true)) {
            return;
        }
        int metricsPort = Integer.parseInt(env("MANAGEMENT_SERVER_PORT", "8081"));
        int apiPort = Integer.parseInt(env("SERVER_PORT", "8080"));
        // Virtual threads: a hanging answer holds one for up to HOLD_SECONDS, and the probes must still be answered.
        HttpServer metrics = HttpServer.create(new InetSocketAddress(metricsPort), 256);
        metrics.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        metrics.createContext("/actuator/health", FaultPod::up);
        metrics.createContext("/actuator/prometheus", pod::answer);
        metrics.start();
        if (apiPort != metricsPort) {
            HttpServer api = HttpServer.create(new InetSocketAddress(apiPort), 256);
            api.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            api.createContext("/", FaultPod::up);
            api.start();
        }
        System.out.println("fault-pod " + name + ": metrics on " + metricsPort + ", plans from " + control);
        pod.follow(control, false);
    }

    /**
     * Asks for the plan every {@link #POLL} until the process is stopped, or with {@code first} until it has one.
     * Returns false when it was stopped first.
     */
    private boolean follow(URI control, boolean first) throws InterruptedException {
        HttpRequest request =
                HttpRequest.newBuilder(control).timeout(Duration.ofSeconds(2)).build();
        do {
            try {
                HttpResponse<String> reply = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (reply.statusCode() == 200) {
                    take(reply.body().trim());
                    if (first) {
                        return true;
                    }
                }
            } catch (IOException e) {
                // the suite is away for a moment: keep the last plan
            }
        } while (!stopped.await(POLL.toMillis(), TimeUnit.MILLISECONDS));
        return false;
    }

    /** A plan is {@code BEHAVIOR RATE}: what to answer, and this pod's requests per second. */
    private synchronized void take(String next) {
        if (next.equals(plan)) {
            return;
        }
        String[] parts = next.split(" ");
        Behavior nextBehavior = Behavior.valueOf(parts[0]);
        requests.rate(Double.parseDouble(parts[1]));
        if (nextBehavior == Behavior.JUMP && !jumped) {
            requests.jump(1e9);
            jumped = true;
        }
        behavior = nextBehavior;
        System.out.println("plan: " + next);
        plan = next;
    }

    private static void up(HttpExchange exchange) throws IOException {
        try (exchange) {
            send(exchange, "application/json", "{\"status\":\"UP\"}");
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            Behavior now = behavior;
            double count = requests.count(System.currentTimeMillis());
            switch (now) {
                case GOOD, JUMP -> send(exchange, metrics(String.format(Locale.ROOT, "%.1f", count), count));
                case NAN -> send(exchange, metrics("NaN", count));
                case NEGATIVE -> send(exchange, metrics("-5", count));
                case GARBAGE -> send(exchange, "<html><body>502 Bad Gateway {{{ not metrics\n");
                case HUGE -> stream(exchange, HUGE_BYTES, 0);
                case SILENT -> stopped.await(HOLD_SECONDS, TimeUnit.SECONDS);
                case DRIP -> stream(exchange, HOLD_SECONDS, 1);
                default -> throw new IllegalStateException(now.name());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the operator gave up on this answer: as it should
        }
    }

    private static String metrics(String count, double requests) {
        return String.format(Locale.ROOT, """
                # TYPE http_server_requests_seconds summary
                http_server_requests_seconds_count{method="GET",status="200",uri="/api/items/{id}"} %s
                http_server_requests_seconds_sum{method="GET",status="200",uri="/api/items/{id}"} %.4f
                # TYPE cache_gets_total counter
                cache_gets_total{cache="catalog",result="hit"} %.1f
                cache_gets_total{cache="catalog",result="miss"} %.1f
                """, count, requests * 0.004, requests * 0.8, requests * 0.2);
    }

    private static void send(HttpExchange exchange, String body) throws IOException {
        send(exchange, "text/plain; version=0.0.4", body);
    }

    private static void send(HttpExchange exchange, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A chunked body of {@code bytes} bytes, one byte every {@code secondsPerByte} seconds when that is not 0. */
    private void stream(HttpExchange exchange, long bytes, int secondsPerByte)
            throws IOException, InterruptedException {
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        if (secondsPerByte > 0) {
            for (long i = 0; i < bytes && !stopped.await(secondsPerByte, TimeUnit.SECONDS); i++) {
                out.write('#');
                out.flush();
            }
            return;
        }
        byte[] line = new byte[64 * 1024];
        Arrays.fill(line, (byte) '#');
        line[line.length - 1] = '\n';
        for (long sent = 0; sent < bytes && stopped.getCount() > 0; sent += line.length) {
            out.write(line);
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
