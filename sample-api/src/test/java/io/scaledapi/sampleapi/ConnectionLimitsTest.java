package io.scaledapi.sampleapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The API server's connection bounds, against real sockets on 127.0.0.1. */
class ConnectionLimitsTest {

    static final int SLOW_CONNECTIONS = 300;

    private final List<Socket> sockets = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void close() throws IOException {
        trickle.shutdownNow();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    /** A connection that sends a request line, then one header line every 500 ms, and never ends its head. */
    private final class SlowClient {
        final Socket socket;
        volatile boolean closedByServer;

        SlowClient(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(1);
            sockets.add(socket);
            socket.getOutputStream()
                    .write("GET /api/items/1 HTTP/1.1\r\nHost: pod\r\n".getBytes(StandardCharsets.US_ASCII));
        }

        void step() {
            if (closedByServer) {
                return;
            }
            try {
                socket.getOutputStream().write("X-Slow: a\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                if (in.read() < 0) {
                    closedByServer = true;
                }
            } catch (SocketTimeoutException stillOpen) {
                // nothing to read yet: the server still holds it
            } catch (IOException e) {
                closedByServer = true;
            }
        }
    }

    @Test
    void slowHeadsAreClosedWithinTheHeaderTimeoutAndAnotherRequestIsAnsweredMeanwhile() throws Exception {
        try (ConfigurableApplicationContext app = start("connections.header-timeout=2s")) {
            HttpTestClient http = HttpTestClient.of(app);
            for (int i = 0; i < 50; i++) {
                http.get("/api/items/2"); // warm: the figure below is then the slow heads' cost, not a cold JVM's
            }
            List<SlowClient> slow = new ArrayList<>();
            for (int i = 0; i < SLOW_CONNECTIONS; i++) {
                slow.add(new SlowClient(http.port()));
            }
            long opened = System.nanoTime();
            trickle.scheduleWithFixedDelay(() -> slow.forEach(SlowClient::step), 0, 500, TimeUnit.MILLISECONDS);

            long start = System.nanoTime();
            HttpResponse<String> normal = http.get("/api/items/2");
            long tookMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
            assertThat(normal.statusCode()).isEqualTo(200);
            assertThat(slow).as("still open while the normal request ran").anyMatch(c -> !c.closedByServer);
            // A figure for the notes, not a bound: timing is the machine's.
            System.out.printf(
                    "connection-limits: a normal request beside %d slow heads took %d us%n",
                    SLOW_CONNECTIONS, tookMicros);

            await().atMost(Duration.ofSeconds(10)).until(() -> slow.stream().allMatch(c -> c.closedByServer));
            System.out.printf(
                    "connection-limits: all %d slow heads closed %d ms after they opened (header timeout 2 s)%n",
                    SLOW_CONNECTIONS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened));
            assertThat(http.metric("http_server_connections_closed_total{reason=\"header_timeout\""))
                    .isEqualTo(SLOW_CONNECTIONS);
            assertThat(http.get("/api/items/3").statusCode())
                    .as("the server still serves")
                    .isEqualTo(200);
        }
    }

    @Test
    void aConnectionPastMaxOpenIsClosedAtOnceAndTheOthersKeepWorking() throws Exception {
        try (ConfigurableApplicationContext app = start("connections.max-open=20")) {
            HttpTestClient http = HttpTestClient.of(app);
            List<Socket> idle = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                Socket socket = new Socket("127.0.0.1", http.port());
                socket.setSoTimeout(50);
                sockets.add(socket);
                idle.add(socket);
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> http.metric("http_server_connections_closed_total{reason=\"max_open\"") == 5);
            // Which five went depends on the event loops' order, not the connect order: read each.
            List<Socket> closed = new ArrayList<>();
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                for (Socket socket : idle) {
                    if (!closed.contains(socket) && closedByServer(socket)) {
                        closed.add(socket);
                    }
                }
                return closed.size() == 5;
            });
            Socket kept =
                    idle.stream().filter(x -> !closed.contains(x)).findFirst().orElseThrow();
            kept.setSoTimeout(5_000);
            kept.getOutputStream()
                    .write("GET /api/items/4 HTTP/1.1\r\nHost: pod\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] head = kept.getInputStream().readNBytes(12);
            assertThat(new String(head, StandardCharsets.US_ASCII))
                    .as("the other 20 still talk HTTP")
                    .isEqualTo("HTTP/1.1 200");

            idle.removeAll(closed);
            for (Socket socket : idle.subList(0, 10)) {
                socket.close();
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> http.get("/api/items/5").statusCode() == 200);
        }
    }

    /** Whether the server closed it: a read ends at once; a timeout means it still holds the connection. */
    private static boolean closedByServer(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static ConfigurableApplicationContext start(String... properties) {
        List<String> arguments = new ArrayList<>(List.of(
                "--server.address=127.0.0.1", "--server.port=0", "--management.server.port=0", "--origin.latency=1ms"));
        for (String property : properties) {
            arguments.add("--" + property);
        }
        return new SpringApplicationBuilder(SampleApiApplication.class).run(arguments.toArray(String[]::new));
    }
}
