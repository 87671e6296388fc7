package io.scaledapi.operator.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The suite's side of {@link FaultPod}: per ScaledApi, the load it is under (requests per second in all) and what its
 * pods' metrics endpoints answer. Each pod asks for its plan twice a second; its share is the load divided among the
 * pods that asked within the last {@link #LIVE_NANOS}, as a Service spreads requests over the pods that serve. So a
 * scale-up spreads the same load over more pods, as it does with real traffic.
 */
final class FaultPodControl implements AutoCloseable {

    /** A pod that has not asked for this long no longer takes a share. */
    private static final long LIVE_NANOS = 2_000_000_000L;

    private record Plan(FaultPod.Behavior behavior, double requestsPerSecond) {}

    private final String address;
    private final HttpServer server;
    private final Map<String, Plan> plans = new ConcurrentHashMap<>();
    /** Per ScaledApi, each pod's last request for its plan (System.nanoTime). Guarded by itself. */
    private final Map<String, Map<String, Long>> asked = new HashMap<>();

    /** Listens on {@code address}: the node's, which the pods reach without leaving the machine. */
    FaultPodControl(String address) throws IOException {
        this.address = address;
        server = HttpServer.create(new InetSocketAddress(address, 0), 256);
        server.createContext("/plan", this::plan);
        server.setExecutor(Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "fault-pod-control");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    /** The {@code FAULT_CONTROL} URL of the ScaledApi {@code namespace/name}'s pods. */
    String url(String namespace, String name) {
        return "http://" + address + ":" + server.getAddress().getPort() + "/plan?api="
                + URLEncoder.encode(namespace + "/" + name, StandardCharsets.UTF_8);
    }

    /** The ScaledApi's load, shared among its pods. */
    void load(String namespace, String name, double requestsPerSecond) {
        plans.compute(
                namespace + "/" + name,
                (api, plan) -> new Plan(plan == null ? FaultPod.Behavior.GOOD : plan.behavior(), requestsPerSecond));
    }

    /** What the ScaledApi's pods' metrics endpoints answer from now on. */
    void behave(String namespace, String name, FaultPod.Behavior behavior) {
        plans.compute(
                namespace + "/" + name, (api, plan) -> new Plan(behavior, plan == null ? 0 : plan.requestsPerSecond()));
    }

    private void plan(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String api = query.getOrDefault("api", "");
            Plan plan = plans.getOrDefault(api, new Plan(FaultPod.Behavior.GOOD, 0));
            int live = live(api, query.getOrDefault("pod", ""));
            byte[] body = String.format(
                            Locale.ROOT, "%s %.3f%n", plan.behavior(), plan.requestsPerSecond() / Math.max(1, live))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /** Notes that {@code pod} asked, and counts the API's pods that asked lately. */
    private int live(String api, String pod) {
        long now = System.nanoTime();
        synchronized (asked) {
            Map<String, Long> pods = asked.computeIfAbsent(api, a -> new HashMap<>());
            pods.put(pod, now);
            pods.values().removeIf(at -> now - at > LIVE_NANOS);
            return pods.size();
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    query.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
