package io.scaledapi.sampleapi.overload;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One sample-api pod under a CPU limit (a cgroup, as the node gives its pods), driven past what it can serve, while
 * its metrics endpoint is scraped as the operator scrapes it. Its capacity is measured first, in the same run (a closed
 * loop), so the overload is sized from what this pod on this machine serves, not from a figure from elsewhere. Then
 * the API's port is held at a backlog of seconds; scrapes of the management port every 250 ms are timed
 * meanwhile, as are the API's own requests. Used by {@code ScrapeUnderOverloadIT} and {@code bench/scrape-under-overload.sh}:
 *   java -cp sample-api/target/test-classes io.scaledapi.sampleapi.overload.OverloadedPod [CPU_LIMIT] [ROUNDS]
 */
final class OverloadedPod implements AutoCloseable {

    /**
     * What one run measured: the pod's capacity (closed loop), what it served while overloaded, the requests kept in
     * flight, the API's latency then, and the scrapes'. Milliseconds; a scrape that failed or took over 5 s counts as
     * 5,000 ms.
     */
    record Figures(
            double capacityPerSecond,
            double servedPerSecond,
            int inFlight,
            double apiMedianMillis,
            double apiP95Millis,
            int apiFailed,
            int scrapes,
            int scrapesFailed,
            double scrapeP50Millis,
            double scrapeP90Millis,
            double scrapeP99Millis,
            double scrapeMaxMillis) {

        /** How long a request waits in the pod's backlog on average (Little's law: in flight over served per second). */
        double backlogSeconds() {
            return inFlight / servedPerSecond;
        }

        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"capacityRps\":%.0f,\"servedRps\":%.0f,\"inFlight\":%d,\"backlogSeconds\":%.1f,"
                            + "\"apiMedianMs\":%.0f,\"apiP95Ms\":%.0f,\"apiFailed\":%d,\"scrapes\":%d,\"scrapesFailed\":%d,\"scrapeP50Ms\":%.1f,"
                            + "\"scrapeP90Ms\":%.1f,\"scrapeP99Ms\":%.1f,\"scrapeMaxMs\":%.1f}",
                    capacityPerSecond,
                    servedPerSecond,
                    inFlight,
                    backlogSeconds(),
                    apiMedianMillis,
                    apiP95Millis,
                    apiFailed,
                    scrapes,
                    scrapesFailed,
                    scrapeP50Millis,
                    scrapeP90Millis,
                    scrapeP99Millis,
                    scrapeMaxMillis);
        }
    }

    private static final long SCRAPE_FAILED_MILLIS = 5_000;
    /** The backlog the API's port is held at: seconds of the pod's own capacity. */
    static final double BACKLOG_SECONDS = 3;
    /** Bound on the load's requests in flight: a backlog of seconds at any capacity this pod can have, and no more sockets. */
    private static final int MAX_IN_FLIGHT = 6_000;

    private final CpuLimitedGroup group;
    private final Process process;
    private final int port;
    private final int managementPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, runnable -> {
        Thread thread = new Thread(runnable, "overload");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * Starts sample-api's jar (the module's package phase builds it) with the render cost it was sized with, under the
     * CPU limit ({@code 200m}: millicores), with the JVM options of the image and the heap of a 512Mi pod.
     */
    OverloadedPod(String cpuLimit, Path log) throws Exception {
        this(cpuLimit, log, java.util.Map.of());
    }

    /** As {@link #OverloadedPod(String, Path)}, with more environment for the pod. */
    OverloadedPod(String cpuLimit, Path log, java.util.Map<String, String> env) throws Exception {
        Path jar = Path.of("target", "sample-api.jar");
        if (!Files.isRegularFile(jar)) {
            jar = Path.of("sample-api", "target", "sample-api.jar");
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(
                    "sample-api/target/sample-api.jar is missing: package the sample-api module first");
        }
        if (!cpuLimit.matches("[0-9]+m")) {
            throw new IllegalArgumentException("a CPU limit in millicores, such as 200m: " + cpuLimit);
        }
        group = CpuLimitedGroup.create(
                "overload-" + ProcessHandle.current().pid() + "-" + System.nanoTime(),
                Long.parseLong(cpuLimit.substring(0, cpuLimit.length() - 1)));
        port = freePort();
        managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(group.launcher(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-XX:TieredStopAtLevel=1",
                        "-XX:MaxRAM=512m",
                        "-XX:MaxRAMPercentage=70",
                        "-jar",
                        jar.toAbsolutePath().toString())))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("SERVER_ADDRESS", "127.0.0.1");
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        builder.environment().put("MANAGEMENT_SERVER_PORT", Integer.toString(managementPort));
        builder.environment().put("RENDER_CPU_TIME", "130us");
        builder.environment().put("WARMUP_REQUESTS", "1000");
        builder.environment().put("CACHE_MAX_ENTRIES", "100000");
        builder.environment().putAll(env);
        process = builder.start();
    }

    /** True once the pod's readiness probe passes (on the management port, where the node probes it). */
    boolean ready() {
        try {
            return get(managementPort, "/actuator/health/readiness", Duration.ofSeconds(2))
                            .statusCode()
                    == 200;
        } catch (IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    int apiPort() {
        return port;
    }

    /** The body of one scrape of the pod's metrics, as the operator makes it. */
    String scrape(Duration timeout) throws IOException, InterruptedException {
        return get(managementPort, "/actuator/prometheus", timeout).body();
    }

    /** What the pod serves, warm, with 16 clients in a closed loop: requests per second. */
    double capacity() throws Exception {
        closedLoop(16, 3); // warm: a JVM that has only served its own warm-up requests is slower at first
        return closedLoop(16, 5);
    }

    /**
     * Measures capacity, then keeps {@code backlogSeconds} times that many API requests in flight for {@code seconds}
     * (each answered request is replaced at once, over kept-alive connections), so that a request waits about that
     * long in the pod's queue; meanwhile the management port is scraped every 250 ms. A closed loop, because an open one
     * needs a client that can offer twice the pod's rate on what CPU the machine has left, and the JDK's client
     * managed barely the pod's own rate here: the backlog, which is what a scrape must not wait behind, is the same.
     */
    Figures overload(double backlogSeconds, int seconds) throws Exception {
        double capacity = capacity();
        int inFlight = (int) Math.min(MAX_IN_FLIGHT, Math.ceil(backlogSeconds * capacity));
        List<Long> scrapeMillis = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger scrapesFailed = new AtomicInteger();
        ConcurrentLinkedQueue<Long> apiMillis = new ConcurrentLinkedQueue<>();
        AtomicInteger apiFailed = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger item = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long judgedFrom = start + TimeUnit.SECONDS.toNanos(Math.max(2, seconds / 3)); // once the backlog has built
        AtomicInteger started = new AtomicInteger();
        // The clients start over a second, as connections would arrive, not as one burst of SYNs.
        var ramp = scheduler.scheduleAtFixedRate(
                () -> {
                    for (int i = 0; i < Math.max(1, inFlight / 100) && started.get() < inFlight; i++) {
                        started.incrementAndGet();
                        client(item, end, judgedFrom, apiMillis, apiFailed, answered);
                    }
                },
                0,
                10,
                TimeUnit.MILLISECONDS);
        var scrapes = scheduler.scheduleAtFixedRate(
                () -> {
                    if (System.nanoTime() < judgedFrom) {
                        return;
                    }
                    long sent = System.nanoTime();
                    sendAsync(managementPort, "/actuator/prometheus", Duration.ofMillis(SCRAPE_FAILED_MILLIS))
                            .whenComplete((r, e) -> {
                                boolean ok = e == null
                                        && r.statusCode() == 200
                                        && r.body().contains("http_server_requests_seconds_count");
                                if (!ok) {
                                    scrapesFailed.incrementAndGet();
                                }
                                scrapeMillis.add(
                                        ok
                                                ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent)
                                                : SCRAPE_FAILED_MILLIS);
                            });
                },
                0,
                250,
                TimeUnit.MILLISECONDS);
        CompletableFuture<Void> done = new CompletableFuture<>();
        scheduler.schedule(() -> done.complete(null), seconds, TimeUnit.SECONDS);
        done.get(seconds + 10L, TimeUnit.SECONDS);
        ramp.cancel(false);
        scrapes.cancel(false);
        double servedPerSecond = answered.get() / ((System.nanoTime() - judgedFrom) / 1e9);
        List<Long> scraped;
        synchronized (scrapeMillis) {
            scraped = new ArrayList<>(scrapeMillis);
        }
        List<Long> api = new ArrayList<>(apiMillis);
        return new Figures(
                capacity,
                servedPerSecond,
                inFlight,
                percentile(api, 50),
                percentile(api, 95),
                apiFailed.get(),
                scraped.size(),
                scrapesFailed.get(),
                percentile(scraped, 50),
                percentile(scraped, 90),
                percentile(scraped, 99),
                percentile(scraped, 100));
    }

    /** One client: a request, and when it is answered the next, until {@code end}. */
    private void client(
            AtomicInteger item,
            long end,
            long judgedFrom,
            ConcurrentLinkedQueue<Long> apiMillis,
            AtomicInteger apiFailed,
            AtomicInteger answered) {
        long sent = System.nanoTime();
        if (sent >= end) {
            return;
        }
        sendAsync(port, "/api/items/" + (1 + item.getAndIncrement() % 1000), Duration.ofSeconds(60))
                .whenComplete((r, e) -> {
                    if (e != null || r.statusCode() != 200) {
                        apiFailed.incrementAndGet();
                    } else if (sent >= judgedFrom) {
                        apiMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
                        answered.incrementAndGet();
                    }
                    client(item, end, judgedFrom, apiMillis, apiFailed, answered);
                });
    }

    /** Requests per second served by {@code concurrency} clients that each send the next as soon as one is answered. */
    private double closedLoop(int concurrency, int seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        AtomicInteger served = new AtomicInteger();
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        var threads = Executors.newFixedThreadPool(concurrency);
        for (int c = 0; c < concurrency; c++) {
            int first = c;
            clients.add(CompletableFuture.runAsync(
                    () -> {
                        for (int i = first; System.nanoTime() < end; i += concurrency) {
                            try {
                                if (get(port, "/api/items/" + (1 + i % 1000), Duration.ofSeconds(30))
                                                .statusCode()
                                        == 200) {
                                    served.incrementAndGet();
                                }
                            } catch (IOException e) {
                                throw new IllegalStateException(
                                        "the pod stopped answering while its capacity was measured", e);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    },
                    threads));
        }
        long started = System.nanoTime();
        try {
            CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(seconds + 60L, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        return served.get() / ((System.nanoTime() - started) / 1e9);
    }

    private HttpResponse<String> get(int port, String path, Duration timeout) throws IOException, InterruptedException {
        return http.send(request(port, path, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(int port, String path, Duration timeout) {
        return http.sendAsync(request(port, path, timeout), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(int port, String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(timeout)
                .GET()
                .build();
    }

    static double percentile(List<Long> values, double percentile) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        scheduler.shutdownNow();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        group.close();
    }

    /** Waits, up to 180 s, for the readiness probe to pass; fails at once if the pod exits. */
    void awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        var ready = new CompletableFuture<Void>();
        var poll = scheduler.scheduleAtFixedRate(
                () -> {
                    if (ready()) {
                        ready.complete(null);
                    } else if (!alive() || System.nanoTime() > deadline) {
                        ready.completeExceptionally(
                                new IllegalStateException("the pod did not become ready; its log: " + log));
                    }
                },
                0,
                500,
                TimeUnit.MILLISECONDS);
        try {
            ready.get();
        } finally {
            poll.cancel(false);
        }
    }

    /** bench/scrape-under-overload.sh: ROUNDS runs, one JSON line each, then the medians as the last line. */
    public static void main(String[] args) throws Exception {
        String cpu = args.length > 0 ? args[0] : "200m";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int seconds = Integer.parseInt(System.getenv().getOrDefault("OVERLOAD_SECONDS", "12"));
        List<Figures> all = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            Path log = Files.createTempFile("overloaded-pod", ".log");
            try (OverloadedPod pod = new OverloadedPod(cpu, log)) {
                pod.awaitReady(log);
                Figures figures = pod.overload(BACKLOG_SECONDS, seconds);
                all.add(figures);
                System.out.println("round " + round + ": " + figures.json());
            }
            Files.deleteIfExists(log);
        }
        System.out.println(String.format(
                Locale.ROOT,
                "{\"cpuLimit\":\"%s\",\"rounds\":%d,\"capacityRps\":%.0f,\"backlogSeconds\":%.1f,"
                        + "\"scrapeP50Ms\":%.1f,\"scrapeP90Ms\":%.1f,\"scrapeP99Ms\":%.1f,\"scrapeMaxMs\":%.1f,\"scrapesFailed\":%d}",
                cpu,
                rounds,
                median(all, Figures::capacityPerSecond),
                median(all, Figures::backlogSeconds),
                median(all, Figures::scrapeP50Millis),
                median(all, Figures::scrapeP90Millis),
                median(all, Figures::scrapeP99Millis),
                median(all, Figures::scrapeMaxMillis),
                all.stream().mapToInt(Figures::scrapesFailed).sum()));
    }

    static <T> double median(List<T> all, java.util.function.ToDoubleFunction<T> figure) {
        double[] values = all.stream().mapToDouble(figure).sorted().toArray();
        return values.length == 0 ? Double.NaN : values[values.length / 2];
    }
}
