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

/** Real HTTP requests to the app under test on 127.0.0.1. */
public final class HttpTestClient {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;

    public HttpTestClient(int port) {
        this.port = port;
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
                .timeout(Duration.ofSeconds(30)).GET();
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

    /** The sum of every sample of a Prometheus series whose line starts with the given prefix. */
    public double metric(String seriesPrefix) {
        String text = get("/actuator/prometheus").body();
        return text.lines()
                .filter(line -> line.startsWith(seriesPrefix))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }
}
