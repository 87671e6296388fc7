import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The container the node agent's tests run (as a single-file source program): listens on SERVER_ADDRESS:PORT and
 * answers /ready (200 until /unready), /healthz (200 until /sick), /whoami (HOSTNAME), /env (its environment, one NAME=value a line), /file?path
 * (a file's content), /exit (exits with 3, a crash), /burn?children=N (starts N busy child processes, which a CPU limit
 * must hold too) and /allocate?mb=N (fills N MiB of heap and keeps it). With START_DELAY_SECONDS it takes that long
 * before it listens (an application that starts slowly). On SIGTERM it writes TERM_MARKER before it exits.
 */
public class ProbeServer {

    static final java.util.List<byte[]> kept = new java.util.ArrayList<>();

    public static void main(String[] args) throws IOException, InterruptedException {
        String delay = System.getenv("START_DELAY_SECONDS");
        if (delay != null) {
            Thread.sleep(Long.parseLong(delay) * 1000); // the slow start under test
        }
        AtomicBoolean ready = new AtomicBoolean(true);
        AtomicBoolean healthy = new AtomicBoolean(true);
        HttpServer server = HttpServer.create(
                new InetSocketAddress(System.getenv("SERVER_ADDRESS"), Integer.parseInt(System.getenv("PORT"))), 0);
        server.createContext("/ready", x -> reply(x, ready.get() ? 200 : 503, ready.get() ? "ready" : "not ready"));
        server.createContext("/unready", x -> {
            ready.set(false);
            reply(x, 200, "unready");
        });
        server.createContext("/healthz", x -> reply(x, healthy.get() ? 200 : 500, healthy.get() ? "ok" : "sick"));
        server.createContext("/sick", x -> {
            healthy.set(false);
            reply(x, 200, "sick");
        });
        server.createContext("/whoami", x -> reply(x, 200, System.getenv("HOSTNAME")));
        server.createContext("/env", x -> {
            StringBuilder env = new StringBuilder();
            new TreeMap<>(System.getenv()).forEach((k, v) -> env.append(k).append('=').append(v).append('\n'));
            reply(x, 200, env.toString());
        });
        server.createContext("/file", x -> reply(x, 200, Files.readString(Path.of(x.getRequestURI().getQuery()))));
        server.createContext("/burn", x -> {
            int children = Integer.parseInt(x.getRequestURI().getQuery().split("=")[1]);
            for (int i = 0; i < children; i++) {
                new ProcessBuilder("/bin/sh", "-c", "while :; do :; done").start();
            }
            reply(x, 200, "burning");
        });
        server.createContext("/allocate", x -> {
            int mb = Integer.parseInt(x.getRequestURI().getQuery().split("=")[1]);
            reply(x, 200, "allocating");
            for (int i = 0; i < mb; i++) {
                byte[] block = new byte[1 << 20];
                java.util.Arrays.fill(block, (byte) 1);
                kept.add(block);
            }
        });
        server.createContext("/exit", x -> {
            reply(x, 200, "exiting");
            Runtime.getRuntime().halt(3);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            String marker = System.getenv("TERM_MARKER");
            if (marker != null) {
                try {
                    Files.writeString(Path.of(marker), "terminated " + System.getenv("HOSTNAME") + "\n");
                } catch (IOException e) {
                    e.printStackTrace();
                }
            }
        }));
        server.start();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
