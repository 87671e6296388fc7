package io.scaledapi.sampleapi.overload;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far a pod's own counters lag the requests sent to it when it is CPU-throttled: one sample-api pod under a CPU
 * limit (a cgroup), its capacity measured first in the run; then k6 sends it an open-loop step, half that capacity for
 * {@link #BEFORE_SECONDS}, {@code OVERLOAD_FACTOR} (1.5) times it for {@link #STEP_SECONDS}, and half again for
 * {@link #AFTER_SECONDS}, while the management port is scraped every 500 ms, as the operator scrapes it.
 *
 * <p>The lag of a counter at a scrape is how long ago the requests it has counted were all sent: k6's own record
 * (when each iteration, one request, started) reached the counter's value that many seconds before the scrape. A
 * counter that keeps up lags by about nothing; one that counts only what the pod has read or served lags by the pod's
 * backlog. Three are measured: requests served ({@code http_server_requests_seconds_count}), requests read
 * ({@code http_server_arrivals_total}), and those read plus those waiting unread on the pod's connections
 * ({@code http_server_unread}), which is what the operator takes as the pod's demand. Used by
 * {@code bench/arrival-lag.sh}:
 *   java -cp sample-api/target/test-classes io.scaledapi.sampleapi.overload.ArrivalLag [CPU_LIMIT] [ROUNDS]
 * with {@code K6} (the k6 binary) in the environment.
 */
final class ArrivalLag {

    static final int BEFORE_SECONDS = 6;
    static final int STEP_SECONDS = 10;
    static final int AFTER_SECONDS = 10;
    /** The lag is resolved to half a second. */
    private static final long SCRAPE_EVERY_MILLIS = 500;

    private static final Pattern ARRIVALS = Pattern.compile("(?m)^http_server_arrivals_total(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern UNREAD = Pattern.compile("(?m)^http_server_unread(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern SHED = Pattern.compile("(?m)^http_server_shed_total(?:\\{[^}]*})? (\\S+)$");
    private static final Pattern SERVED =
            Pattern.compile("(?m)^http_server_requests_seconds_count\\{(?!.*uri=\"/actuator).*} (\\S+)$");

    /** One scrape: seconds since the first, and the counters then (and the requests waiting unread, a gauge). */
    record Scrape(double at, double arrivals, double served, double shed, double unread) {

        /** What the replica has been sent: what it read, and what waits unread on its connections. */
        double sent() {
            return arrivals + unread;
        }
    }

    /**
     * One round: the pod's capacity, the step's rates, the lag of each counter (the most over the run, and at the
     * step's end), what the pod shed, and what k6 sent and could not send (dropped: no VU free).
     */
    record Figures(
            double capacity,
            double baseRate,
            double stepRate,
            double arrivalsLagMax,
            double arrivalsLagAtStepEnd,
            double sentLagMax,
            double sentLagAtStepEnd,
            double servedLagMax,
            double servedLagAtStepEnd,
            double arrivalRateInStep,
            double sentRateInStep,
            double servedRateInStep,
            double shed,
            double sent,
            double dropped) {

        String json() {
            return String.format(
                    Locale.ROOT,
                    "{\"capacityRps\":%.0f,\"baseRps\":%.0f,\"stepRps\":%.0f,\"arrivalsLagMaxS\":%.2f,"
                            + "\"arrivalsLagAtStepEndS\":%.2f,\"sentLagMaxS\":%.2f,\"sentLagAtStepEndS\":%.2f,"
                            + "\"servedLagMaxS\":%.2f,\"servedLagAtStepEndS\":%.2f,\"arrivalRpsInStep\":%.0f,"
                            + "\"sentRpsInStep\":%.0f,\"servedRpsInStep\":%.0f,\"shed\":%.0f,\"sent\":%.0f,"
                            + "\"dropped\":%.0f}",
                    capacity,
                    baseRate,
                    stepRate,
                    arrivalsLagMax,
                    arrivalsLagAtStepEnd,
                    sentLagMax,
                    sentLagAtStepEnd,
                    servedLagMax,
                    servedLagAtStepEnd,
                    arrivalRateInStep,
                    sentRateInStep,
                    servedRateInStep,
                    shed,
                    sent,
                    dropped);
        }
    }

    /** When the {@code count}-th request was sent ({@code sent} sorted); 0 requests were all sent at once. */
    static double sentAt(double[] sent, double count) {
        int n = (int) Math.ceil(count);
        if (n <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        return sent[Math.min(n, sent.length) - 1];
    }

    /**
     * The figures of one round from its scrapes (the first taken before k6 started) and the moments k6 sent each
     * request (seconds, sorted, on the scrapes' clock).
     */
    static Figures analyse(
            List<Scrape> scrapes, double[] sent, double capacity, double base, double step, double dropped) {
        Scrape first = scrapes.get(0);
        double start = sent[0];
        double stepEnd = start + BEFORE_SECONDS + STEP_SECONDS;
        double arrivalsLagMax = 0;
        double sentLagMax = 0;
        double servedLagMax = 0;
        double arrivalsLagAtStepEnd = Double.NaN;
        double sentLagAtStepEnd = Double.NaN;
        double servedLagAtStepEnd = Double.NaN;
        Scrape inStepFrom = null;
        Scrape inStepTo = null;
        for (Scrape s : scrapes) {
            if (s.at() < start || s.at() > sent[sent.length - 1]) {
                continue; // after k6's last request, "how long ago was it sent" only grows
            }
            double arrivalsLag = Math.max(0, s.at() - sentAt(sent, s.arrivals() - first.arrivals()));
            double sentLag = Math.max(0, s.at() - sentAt(sent, s.sent() - first.sent()));
            double servedLag = Math.max(0, s.at() - sentAt(sent, s.served() - first.served()));
            arrivalsLagMax = Math.max(arrivalsLagMax, arrivalsLag);
            sentLagMax = Math.max(sentLagMax, sentLag);
            servedLagMax = Math.max(servedLagMax, servedLag);
            if (s.at() <= stepEnd) {
                arrivalsLagAtStepEnd = arrivalsLag;
                sentLagAtStepEnd = sentLag;
                servedLagAtStepEnd = servedLag;
                inStepTo = s;
            }
            // The step's second half: the rates the counters show once it has lasted.
            if (s.at() >= start + BEFORE_SECONDS + STEP_SECONDS / 2.0 && inStepFrom == null) {
                inStepFrom = s;
            }
        }
        if (inStepFrom == null || inStepTo == null || inStepTo.at() <= inStepFrom.at()) {
            throw new IllegalStateException("no two scrapes in the step's second half");
        }
        double span = inStepTo.at() - inStepFrom.at();
        Scrape last = scrapes.get(scrapes.size() - 1);
        return new Figures(
                capacity,
                base,
                step,
                arrivalsLagMax,
                arrivalsLagAtStepEnd,
                sentLagMax,
                sentLagAtStepEnd,
                servedLagMax,
                servedLagAtStepEnd,
                (inStepTo.arrivals() - inStepFrom.arrivals()) / span,
                (inStepTo.sent() - inStepFrom.sent()) / span,
                (inStepTo.served() - inStepFrom.served()) / span,
                last.shed() - first.shed(),
                sent.length,
                dropped);
    }

    /** When k6 started each iteration (one request each), from its CSV output in milliseconds: end less duration. */
    static double[] iterationStarts(Path csv) throws java.io.IOException {
        try (var lines = Files.lines(csv)) {
            return lines.filter(l -> l.startsWith("iteration_duration,"))
                    .mapToDouble(l -> {
                        String[] f = l.split(",", 4);
                        return (Double.parseDouble(f[1]) - Double.parseDouble(f[2])) / 1000;
                    })
                    .sorted()
                    .toArray();
        }
    }

    static Scrape parse(double at, String body) {
        return new Scrape(at, sum(ARRIVALS, body), sum(SERVED, body), sum(SHED, body), sum(UNREAD, body));
    }

    private static double sum(Pattern pattern, String body) {
        double total = 0;
        boolean found = false;
        Matcher m = pattern.matcher(body);
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
            found = true;
        }
        return found ? total : Double.NaN;
    }

    /** One round; k6's script, log and summary and the scrapes stay in a temporary folder, named on stderr. */
    static Figures round(String cpu, double factor, Path k6) throws Exception {
        Path log = Files.createTempFile("arrival-lag-pod", ".log");
        Path dir = Files.createTempDirectory("arrival-lag");
        // The gauge is off by default; the lag of read + unread is what this measures.
        try (OverloadedPod pod = new OverloadedPod(cpu, log, java.util.Map.of("UNREAD_REQUESTS_INTERVAL", "1s"))) {
            pod.awaitReady(log);
            double capacity = pod.capacity();
            double base = Math.max(1, Math.round(capacity / 2));
            double step = Math.max(base + 1, Math.round(capacity * factor));
            System.err.println("arrival-lag: this round's files are in " + dir);
            Path script = dir.resolve("step.js");
            Files.writeString(script, k6Script(pod.apiPort(), base, step));
            Path summary = dir.resolve("summary.json");
            List<Scrape> scrapes = new ArrayList<>();
            var firstScrape = new java.util.concurrent.CompletableFuture<Void>();
            var scraper = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "scraper");
                thread.setDaemon(true);
                return thread;
            });
            scraper.scheduleAtFixedRate(
                    () -> {
                        try {
                            String body = pod.scrape(Duration.ofSeconds(5));
                            double at = System.currentTimeMillis() / 1000.0;
                            synchronized (scrapes) {
                                scrapes.add(parse(at, body));
                            }
                            firstScrape.complete(null);
                        } catch (Exception e) {
                            // A scrape that gets no answer leaves a gap; the next one still counts.
                        }
                    },
                    0,
                    SCRAPE_EVERY_MILLIS,
                    TimeUnit.MILLISECONDS);
            Path requests = dir.resolve("requests.csv");
            ProcessBuilder k6Run = new ProcessBuilder(
                    k6.toString(),
                    "run",
                    "--quiet",
                    "--summary-export",
                    summary.toString(),
                    "--out",
                    "csv=" + requests,
                    script.toString());
            k6Run.environment().put("K6_CSV_TIME_FORMAT", "unix_milli");
            // The first scrape is the baseline: it must come before k6's first request.
            firstScrape.get(10, TimeUnit.SECONDS);
            Process run = k6Run.redirectErrorStream(true)
                    .redirectOutput(dir.resolve("k6.log").toFile())
                    .start();
            if (!run.waitFor(BEFORE_SECONDS + STEP_SECONDS + AFTER_SECONDS + 120L, TimeUnit.SECONDS)) {
                run.destroyForcibly();
                throw new IllegalStateException("k6 did not finish; its log: " + dir.resolve("k6.log"));
            }
            scraper.shutdown();
            scraper.awaitTermination(10, TimeUnit.SECONDS);
            String exported = Files.readString(summary);
            List<Scrape> taken;
            synchronized (scrapes) {
                taken = new ArrayList<>(scrapes);
            }
            StringBuilder csv = new StringBuilder("at,arrivals,served,shed,unread\n");
            for (Scrape s : taken) {
                csv.append(String.format(
                        Locale.ROOT,
                        "%.3f,%.0f,%.0f,%.0f,%.0f%n",
                        s.at(),
                        s.arrivals(),
                        s.served(),
                        s.shed(),
                        s.unread()));
            }
            Files.writeString(dir.resolve("scrapes.csv"), csv);
            return analyse(
                    taken, iterationStarts(requests), capacity, base, step, metric(exported, "dropped_iterations"));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A counter's count from k6's summary export (0 when k6 did not report it: nothing dropped). */
    private static double metric(String summary, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\\{\\s*\"count\"\\s*:\\s*([0-9.eE+-]+)")
                .matcher(summary);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String k6Script(int port, double base, double step) {
        return String.format(
                Locale.ROOT,
                """
                import http from 'k6/http';
                export const options = {
                  discardResponseBodies: true,
                  scenarios: {
                    base: { executor: 'constant-arrival-rate', rate: %.0f, timeUnit: '1s', duration: '%ds',
                            preAllocatedVUs: 50, maxVUs: 1500 },
                    step: { executor: 'constant-arrival-rate', rate: %.0f, timeUnit: '1s', startTime: '%ds',
                            duration: '%ds', preAllocatedVUs: 100, maxVUs: 2500 },
                  },
                };
                export default function () {
                  http.get(`http://127.0.0.1:%d/api/items/${1 + Math.floor(Math.random() * 1000)}`, { timeout: '60s' });
                }
                """,
                base,
                BEFORE_SECONDS + STEP_SECONDS + AFTER_SECONDS,
                step - base,
                BEFORE_SECONDS,
                STEP_SECONDS,
                port);
    }

    /** bench/arrival-lag.sh: ROUNDS runs, one JSON line each, then the medians as the last line. */
    public static void main(String[] args) throws Exception {
        String cpu = args.length > 0 ? args[0] : "200m";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        double factor = Double.parseDouble(System.getenv().getOrDefault("OVERLOAD_FACTOR", "1.5"));
        String k6 = System.getenv("K6");
        if (k6 == null || !Files.isExecutable(Path.of(k6))) {
            throw new IllegalStateException("K6 must name the k6 binary (dev/k6-binary prints it)");
        }
        List<Figures> all = new ArrayList<>();
        for (int r = 1; r <= rounds; r++) {
            Figures figures = round(cpu, factor, Path.of(k6));
            all.add(figures);
            System.out.println("round " + r + ": " + figures.json());
        }
        System.out.println(String.format(
                Locale.ROOT,
                "{\"cpuLimit\":\"%s\",\"rounds\":%d,\"overloadFactor\":%.2f,\"capacityRps\":%.0f,"
                        + "\"arrivalsLagMaxS\":%.2f,\"arrivalsLagAtStepEndS\":%.2f,\"sentLagMaxS\":%.2f,"
                        + "\"sentLagAtStepEndS\":%.2f,\"servedLagMaxS\":%.2f,"
                        + "\"servedLagAtStepEndS\":%.2f,\"arrivalRpsInStep\":%.0f,\"sentRpsInStep\":%.0f,"
                        + "\"servedRpsInStep\":%.0f,"
                        + "\"shed\":%.0f,\"dropped\":%.0f}",
                cpu,
                rounds,
                factor,
                OverloadedPod.median(all, Figures::capacity),
                OverloadedPod.median(all, Figures::arrivalsLagMax),
                OverloadedPod.median(all, Figures::arrivalsLagAtStepEnd),
                OverloadedPod.median(all, Figures::sentLagMax),
                OverloadedPod.median(all, Figures::sentLagAtStepEnd),
                OverloadedPod.median(all, Figures::servedLagMax),
                OverloadedPod.median(all, Figures::servedLagAtStepEnd),
                OverloadedPod.median(all, Figures::arrivalRateInStep),
                OverloadedPod.median(all, Figures::sentRateInStep),
                OverloadedPod.median(all, Figures::servedRateInStep),
                OverloadedPod.median(all, Figures::shed),
                OverloadedPod.median(all, Figures::dropped)));
    }
}
