package io.scaledapi.sampleapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Real HTTP requests to the app under test on 127.0.0.1: the API's port, and the management port (metrics, probes). */
public final class HttpTestClient {

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final int managementPort;

    public HttpTestClient(int port, int managementPort) {
        this.port = port;
        this.managementPort = managementPort;
    }

    /** The ports an app started in the test listens on. */
    public static HttpTestClient of(ConfigurableApplicationContext app) {
        return new HttpTestClient(
                ((WebServerApplicationContext) app).getWebServer().getPort(),
                app.getEnvironment().getRequiredProperty("local.management.port", Integer.class));
    }

    public int port() {
        return port;
    }

    /** A GET on the management port. */
    public HttpResponse<String> management(String path) {
        try {
            return client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                            .timeout(Duration.ofSeconds(30))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " on the management port failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpResponse<String> get(String pathAndQuery, String... headers) {
        try {
            return getAsync(pathAndQuery, headers).join();
        } catch (RuntimeException e) {
            throw new IllegalStateException("GET " + pathAndQuery + " failed", e);
        }
    }

    public CompletableFuture<HttpResponse<String>> getAsync(String pathAndQuery, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends a request line exactly as written (no client-side normalisation) and returns the status code. */
    public int rawStatus(String method, String target) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * How many GETs of {@code path} one kept-alive connection answers before the server closes it, up to {@code most}.
     */
    public int requestsOnOneConnection(String path, int most) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int answered = 0; answered < most; answered++) {
                out.write(
                        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String head = readHead(in);
                if (head == null) {
                    return answered;
                }
                int length = head.lines()
                        .filter(line -> line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:"))
                        .mapToInt(line -> Integer.parseInt(line.substring(15).trim()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalStateException("no Content-Length in " + head));
                in.readNBytes(length);
                if (head.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
                    return answered + 1;
                }
            }
            return most;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A response's status line and headers, or null when the connection was closed before one. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                return head.toString();
            }
        }
        return null;
    }

    /** The sum of every sample of a Prometheus series whose line starts with the given prefix. */
    public double metric(String seriesPrefix) {
        String text = management("/actuator/prometheus").body();
        return text.lines()
                .filter(line -> line.startsWith(seriesPrefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
