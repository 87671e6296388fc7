package io.scaledapi.operator.reconcile;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.faults.GrowingCounter;
import io.scaledapi.operator.faults.StandInPods;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * Pods stood in for by local HTTP endpoints, for an API server with no kubelet: each pod object gets a loopback
 * address of its own (127.0.10.x, all on one port, as the Deployment's template says) where a real HTTP server
 * serves Prometheus text whose request counter grows at a rate the test sets.
 */
final class FakePods implements AutoCloseable {

    final int port;
    private final KubernetesClient client;
    private final String namespace;
    private final String app;
    private final List<HttpServer> servers = new ArrayList<>();
    private final GrowingCounter counter = new GrowingCounter();
    private volatile boolean failing;

    FakePods(KubernetesClient client, String namespace, String app) throws IOException {
        this.client = client;
        this.namespace = namespace;
        this.app = app;
        try (var probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.10.1"))) {
            this.port = probe.getLocalPort();
        }
    }

    /** Sets every pod's request rate from now on (counters keep growing from where they are). */
    void rate(double perPod) {
        counter.rate(perPod);
    }

    void failing(boolean failing) {
        this.failing = failing;
    }

    /** Starts a pod's endpoint and creates its ready Pod object. */
    Pod start(int index) throws IOException {
        String ip = "127.0.10." + index;
        HttpServer server = HttpServer.create(new InetSocketAddress(ip, port), 0);
        server.createContext("/actuator/prometheus", exchange -> {
            double requests = counter.count(System.currentTimeMillis());
            String body = """
                    # TYPE http_server_requests_seconds summary
                    http_server_requests_seconds_count{method="GET",status="200",uri="/api/items/{id}"} %f
                    http_server_requests_seconds_sum{method="GET",status="200",uri="/api/items/{id}"} %f
                    http_server_requests_seconds_count{method="GET",status="200",uri="/actuator/prometheus"} 999999
                    cache_gets_total{cache="catalog",result="hit"} %f
                    cache_gets_total{cache="catalog",result="miss"} %f
                    """.formatted(requests, requests * 0.002, requests * 0.8, requests * 0.2);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(failing ? 500 : 200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        servers.add(server);

        return StandInPods.createReady(client, namespace, app, app + "-" + index, ip, port);
    }

    @Override
    public void close() {
        servers.forEach(s -> s.stop(0));
    }
}
