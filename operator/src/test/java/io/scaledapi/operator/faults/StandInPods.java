package io.scaledapi.operator.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.owned.OwnedObjects;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Pods for an API server with no kubelet: ready Pod objects whose podIP is 127.0.0.1 and whose port is one local
 * endpoint, which serves Prometheus text with a request counter growing at a set rate per pod, or misbehaves in
 * one of the ways a broken pod does.
 */
public final class StandInPods implements AutoCloseable {

    /** What the endpoint answers. */
    enum Behavior {
        GOOD,
        GARBAGE,
        NAN,
        NEGATIVE,
        JUMP,
        HUGE,
        SILENT,
        DRIP
    }

    private static final long HUGE_BYTES = 100L * 1024 * 1024;
    private static final int HOLD_SECONDS = 30;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Behavior behavior = Behavior.GOOD;
    private final GrowingCounter requests = new GrowingCounter();

    StandInPods() throws IOException {
        // Headers and body are separate writes: without TCP_NODELAY, Nagle and delayed ACKs add 40 ms to each.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.createContext("/actuator/prometheus", this::answer);
        server.setExecutor(threads);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void rate(double perPod) {
        requests.rate(perPod);
    }

    synchronized void behave(Behavior next) {
        if (next == Behavior.JUMP) {
            requests.jump(1e9);
        }
        behavior = next;
    }

    /** Creates {@code count} ready pods of the ScaledApi {@code app}, all served by this endpoint. */
    void create(KubernetesClient client, String namespace, String app, int count) {
        for (int i = 0; i < count; i++) {
            createReady(client, namespace, app, app + "-standin-" + i, port());
        }
    }

    /** A Pod object of the ScaledApi {@code app}, marked Ready with podIP 127.0.0.1 and its {@code metrics} port. */
    public static Pod createReady(KubernetesClient client, String namespace, String app, String name, int port) {
        return createReady(client, namespace, app, name, "127.0.0.1", port);
    }

    /** A Pod object of the ScaledApi {@code app}, marked Ready with {@code podIP} and its {@code metrics} port. */
    public static Pod createReady(
            KubernetesClient client, String namespace, String app, String name, String podIP, int port) {
        Pod pod = client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(namespace)
                        .withLabels(Map.of(
                                "app.kubernetes.io/managed-by",
                                OwnedObjects.MANAGED_BY,
                                OwnedObjects.NAME_LABEL,
                                app,
                                "app.kubernetes.io/name",
                                app))
                        .endMetadata()
                        .withNewSpec()
                        .withAutomountServiceAccountToken(false)
                        .addNewContainer()
                        .withName("api")
                        .withImage("scaledapi/sample-api:0.1.0")
                        .addNewPort()
                        .withName(OwnedObjects.METRICS_PORT_NAME)
                        .withContainerPort(port)
                        .endPort()
                        .endContainer()
                        .endSpec()
                        .build())
                .create();
        String now = Instant.now().toString();
        pod.setStatus(new PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(podIP)
                .withStartTime(now)
                .withConditions(new PodConditionBuilder()
                        .withType("Ready")
                        .withStatus("True")
                        .withLastTransitionTime(now)
                        .build())
                .build());
        return client.pods().inNamespace(namespace).resource(pod).updateStatus();
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
                case SILENT -> closed.await(HOLD_SECONDS, TimeUnit.SECONDS); // accepts, never answers
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
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A chunked body of {@code bytes} bytes, one byte every {@code secondsPerByte} seconds when that is not 0. */
    private void stream(HttpExchange exchange, long bytes, int secondsPerByte)
            throws IOException, InterruptedException {
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        if (secondsPerByte > 0) {
            for (long i = 0; i < bytes && !closed.await(secondsPerByte, TimeUnit.SECONDS); i++) {
                out.write('#');
                out.flush();
            }
            return;
        }
        byte[] line = new byte[64 * 1024];
        Arrays.fill(line, (byte) '#');
        line[line.length - 1] = '\n';
        for (long sent = 0; sent < bytes && closed.getCount() > 0; sent += line.length) {
            out.write(line);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
