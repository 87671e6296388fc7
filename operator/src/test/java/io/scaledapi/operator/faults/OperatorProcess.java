package io.scaledapi.operator.faults;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator jar run as a user runs it (the chart's JVM options, direct scraping), as a process of its own that a
 * check can kill with SIGKILL, stop with SIGTERM, probe and read the log of.
 */
final class OperatorProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    final String id;
    final Path log;
    private final Process process;
    private final int healthPort;

    private OperatorProcess(String id, Path log, Process process, int healthPort) {
        this.id = id;
        this.log = log;
        this.process = process;
        this.healthPort = healthPort;
    }

    static OperatorProcess start(Path root, Path logs, String id, String namespace, Map<String, String> env)
            throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path log = logs.resolve("operator-" + id + ".log");
        ProcessBuilder builder = new ProcessBuilder(
                        "java",
                        "-jar",
                        root.resolve("operator/target/scaledapi-operator.jar").toString())
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("JAVA_TOOL_OPTIONS", jvmOptions(root));
        environment.put("LEADER_ELECTION", "false");
        environment.put("SCRAPE_MODE", "direct");
        environment.put("HEALTH_ADDRESS", "127.0.0.1");
        environment.put("HEALTH_PORT", Integer.toString(port));
        environment.put("WATCH_NAMESPACES", namespace);
        environment.put("POD_NAME", "operator-" + id);
        environment.putAll(env);
        return new OperatorProcess(id, log, builder.start(), port);
    }

    /** The chart's jvmOptions: the operator runs here as it does in its 512Mi container. */
    static String jvmOptions(Path root) throws IOException {
        Matcher m = Pattern.compile("(?m)^jvmOptions: \"([^\"]+)\"")
                .matcher(Files.readString(root.resolve("helm/scaledapi-operator/values.yaml")));
        if (!m.find()) {
            throw new IllegalStateException("no jvmOptions in the chart's values.yaml");
        }
        return m.group(1);
    }

    /** The HTTP status of a health path, or -1 when nothing answers. */
    int probe(String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    /** Resident memory in MiB, from /proc. */
    long rssMiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return 0;
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no goodbye. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
