package io.scaledapi.operator.bench;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.faults.StandInPods;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load side of {@code bench/operator-scale.sh}: against a real API server with an operator already running, it
 * creates ScaledApis over 10 namespaces and stand-in pods for them (Pod objects marked Ready with a loopback podIP,
 * all served by one cheap Prometheus endpoint in this process whose counters move), waits until every resource has
 * been scraped, settles, then measures the operator for a while and prints one JSON object as its last line.
 *
 * <p>Arguments: scaledApis pods operatorPid operatorMetricsUrl [warmupSeconds] [measureSeconds].
 */
public final class OperatorScaleBench {

    private static final int NAMESPACES = 10;
    /** Every stand-in pod serves this many requests a second: well under a replica's target, so the fleet is steady. */
    private static final double RATE_PER_POD = 50;

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)");

    public static void main(String[] args) throws Exception {
        int scaledApis = Integer.parseInt(args[0]);
        int pods = Integer.parseInt(args[1]);
        long pid = Long.parseLong(args[2]);
        String operatorMetrics = args[3];
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int measure = args.length > 5 ? Integer.parseInt(args[5]) : 60;
        long started = System.currentTimeMillis();
        HttpServer endpoint = standInEndpoint(started);
        int port = endpoint.getAddress().getPort();
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            createNamespaces(client);
            List<Future<?>> work = new ArrayList<>();
            for (int i = 0; i < scaledApis; i++) {
                int index = i;
                int mine = pods / scaledApis + (i < pods % scaledApis ? 1 : 0);
                work.add(pool.submit(() -> createScaledApi(client, index, Math.max(1, mine))));
            }
            waitFor(work);
            log("created %d ScaledApis", scaledApis);
            for (int p = 0; p < pods; p++) {
                int index = p % scaledApis;
                int number = p / scaledApis;
                work.add(pool.submit(() -> createPod(client, index, number, port)));
            }
            waitFor(work);
            pool.shutdown();
            log("created %d ready stand-in pods, all served at 127.0.0.1:%d", pods, port);

            try {
                client.resources(ScaledApi.class)
                        .inAnyNamespace()
                        .informOnCondition(all ->
                                all.stream().filter(OperatorScaleBench::scraped).count() >= scaledApis)
                        .get(10, TimeUnit.MINUTES);
            } catch (TimeoutException e) {
                throw new IllegalStateException("not every ScaledApi was scraped within 10 minutes");
            }
            log(
                    "every ScaledApi scraped after %d s; settling for %d s",
                    (System.currentTimeMillis() - started) / 1000, warmup);
            Thread.sleep(warmup * 1000L); // the settling time, on purpose

            Snapshot before = Snapshot.take(client, pid, operatorMetrics);
            long rssMax = 0;
            long end = System.currentTimeMillis() + measure * 1000L;
            while (System.currentTimeMillis() < end) {
                rssMax = Math.max(rssMax, rssKiB(pid));
                Thread.sleep(Math.min(
                        5000, Math.max(1, end - System.currentTimeMillis()))); // RSS sampled every 5 s over the
                // measured window, on purpose
            }
            rssMax = Math.max(rssMax, rssKiB(pid));
            Snapshot after = Snapshot.take(client, pid, operatorMetrics);
            double seconds = (after.millis - before.millis) / 1000.0;
            double cpu = (after.cpuTicks - before.cpuTicks) / 100.0 / seconds;
            double statusWrites = (after.statusWrites - before.statusWrites) / seconds;
            double requests = (after.apiRequests - before.apiRequests) / seconds;
            double p99 = quantile(0.99, before.lateness, after.lateness) * 1000;
            System.out.printf(
                    Locale.ROOT,
                    "{\"scaledApis\":%d,\"pods\":%d,\"cpuCores\":%.3f,\"rssMiB\":%.0f,"
                            + "\"statusWritesPerSecond\":%.2f,\"apiRequestsPerSecond\":%.1f,\"tickLatenessP99Ms\":%.1f}%n",
                    scaledApis,
                    pods,
                    cpu,
                    rssMax / 1024.0,
                    statusWrites,
                    requests,
                    p99);
        } finally {
            endpoint.stop(0);
        }
        System.exit(0); // the client's informer and the endpoint's pool are not daemon threads
    }

    /** One endpoint for every stand-in pod: a summary and cache counters that grow at {@link #RATE_PER_POD}. */
    static HttpServer standInEndpoint(long since) throws IOException {
        // Headers and body go out in two writes: without TCP_NODELAY, Nagle and delayed ACKs add 40 ms to each.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        server.createContext("/actuator/prometheus", exchange -> {
            double requests = RATE_PER_POD * (System.currentTimeMillis() - since) / 1000.0;
            byte[] body = String.format(Locale.ROOT, """
                    # TYPE http_server_requests_seconds summary
                    http_server_requests_seconds_count{method="GET",status="200",uri="/api/items/{id}"} %.1f
                    http_server_requests_seconds_sum{method="GET",status="200",uri="/api/items/{id}"} %.4f
                    # TYPE cache_gets_total counter
                    cache_gets_total{cache="catalog",result="hit"} %.1f
                    cache_gets_total{cache="catalog",result="miss"} %.1f
                    """, requests, requests * 0.004, requests * 0.9, requests * 0.1)
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    static String namespace(int index) {
        return "scale-" + (index % NAMESPACES);
    }

    static void createNamespaces(KubernetesClient client) {
        for (int n = 0; n < NAMESPACES; n++) {
            String ns = namespace(n);
            client.resource(new NamespaceBuilder()
                            .withNewMetadata()
                            .withName(ns)
                            .endMetadata()
                            .build())
                    .serverSideApply();
            // No controller-manager here: the ServiceAccount admission plugin still wants the namespace's default one.
            client.resource(new ServiceAccountBuilder()
                            .withNewMetadata()
                            .withName("default")
                            .withNamespace(ns)
                            .endMetadata()
                            .withAutomountServiceAccountToken(false)
                            .build())
                    .serverSideApply();
        }
    }

    static void createScaledApi(KubernetesClient client, int index, int replicas) {
        ScaledApi api = Serialization.unmarshal(
                """
                apiVersion: scaledapi.io/v1alpha1
                kind: ScaledApi
                metadata:
                  name: api-%d
                  namespace: %s
                spec:
                  image: scaledapi/sample-api:0.1.0
                  cache: {ttl: 60s}
                  replicas: {min: %d, max: %d}
                  scaling: {targetRequestsPerSecond: 600}
                """.formatted(index, namespace(index), replicas, replicas * 2 + 2), ScaledApi.class);
        client.resource(api).create();
    }

    static void createPod(KubernetesClient client, int index, int number, int port) {
        String app = "api-" + index;
        StandInPods.createReady(client, namespace(index), app, app + "-standin-" + number, port);
    }

    static boolean scraped(ScaledApi api) {
        return api.getStatus() != null
                && api.getStatus().conditions.stream()
                        .anyMatch(c -> "MetricsAvailable".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static void waitFor(List<Future<?>> work) throws Exception {
        for (Future<?> f : work) {
            f.get();
        }
        work.clear();
    }

    /** What is counted at the start and the end of the measurement. */
    record Snapshot(
            long millis, long cpuTicks, double statusWrites, double apiRequests, TreeMap<Double, Double> lateness) {

        static Snapshot take(KubernetesClient client, long pid, String operatorMetrics) throws Exception {
            String api = client.raw("/metrics");
            double statusWrites = 0;
            double requests = 0;
            for (String line : api.split("\n")) {
                if (!line.startsWith("apiserver_request_total{")) {
                    continue;
                }
                double value = value(line);
                requests += value;
                if (line.contains("resource=\"scaledapis\"")
                        && line.contains("subresource=\"status\"")
                        && (line.contains("verb=\"APPLY\"")
                                || line.contains("verb=\"PATCH\"")
                                || line.contains("verb=\"UPDATE\""))) {
                    statusWrites += value;
                }
            }
            TreeMap<Double, Double> buckets = new TreeMap<>();
            String operator = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(operatorMetrics)).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Pattern le = Pattern.compile("le=\"([^\"]+)\"");
            for (String line : operator.split("\n")) {
                if (line.startsWith("scaledapi_tick_lateness_seconds_bucket{")) {
                    Matcher m = le.matcher(line);
                    if (m.find()) {
                        buckets.put(
                                m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1)),
                                value(line));
                    }
                }
            }
            return new Snapshot(
                    System.currentTimeMillis(), OperatorScaleBench.cpuTicks(pid), statusWrites, requests, buckets);
        }
    }

    static double value(String line) {
        Matcher m = SAMPLE.matcher(line);
        return m.find() ? Double.parseDouble(m.group(3)) : 0;
    }

    /** The q-quantile of the observations between two cumulative histograms, interpolated as histogram_quantile does. */
    static double quantile(double q, TreeMap<Double, Double> before, TreeMap<Double, Double> after) {
        double total =
                after.getOrDefault(Double.POSITIVE_INFINITY, 0.0) - before.getOrDefault(Double.POSITIVE_INFINITY, 0.0);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double lower = 0;
        double below = 0;
        for (Map.Entry<Double, Double> bucket : after.entrySet()) {
            double count = bucket.getValue() - before.getOrDefault(bucket.getKey(), 0.0);
            if (count >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lower;
                }
                return lower + (bucket.getKey() - lower) * (rank - below) / Math.max(1e-9, count - below);
            }
            lower = bucket.getKey();
            below = count;
        }
        return lower;
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }

    static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "operator-scale: " + format + "%n", args);
    }
}
