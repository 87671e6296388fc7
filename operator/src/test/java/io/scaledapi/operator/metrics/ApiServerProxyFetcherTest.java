package io.scaledapi.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.KubeApiBinaries;
import io.scaledapi.operator.TestResources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scrape through a real kube-apiserver's pod proxy, to a real HTTP server standing in for a pod. The API server
 * proxies to no loopback address, so the stand-in listens on this machine's first other IPv4 address.
 */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class ApiServerProxyFetcherTest {

    static KubernetesClient client;
    HttpServer server;
    String namespace;
    String address;

    @BeforeEach
    void podBehindTheProxy() throws IOException {
        address = machineAddress();
        server = HttpServer.create(new InetSocketAddress(address, 0), 0);
        server.createContext("/small", exchange -> answer(exchange, 200, PrometheusTextTest.SAMPLE_API.getBytes()));
        server.createContext("/big", exchange -> answer(exchange, 200, new byte[5 * 1024 * 1024]));
        server.createContext("/missing", exchange -> answer(exchange, 404, "not here".getBytes()));
        server.start();
        namespace = TestResources.newNamespace(client);
        Pod pod = client.resource(new PodBuilder()
                        .withNewMetadata()
                        .withName("stand-in")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("api")
                        .withImage("scaledapi/sample-api:0.1.0")
                        .endContainer()
                        .endSpec()
                        .build())
                .inNamespace(namespace)
                .create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase("Running")
                .withPodIP(address)
                .build());
        client.resource(pod).inNamespace(namespace).updateStatus();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, byte[] body)
            throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private PodTarget target(String path) {
        return new PodTarget(namespace, "stand-in", address, server.getAddress().getPort(), path);
    }

    @Test
    void aBodyWithinTheBoundIsRead() throws Exception {
        String text = new ApiServerProxyFetcher(client).fetch(target("/small")).get(10, TimeUnit.SECONDS);
        assertThat(text).isEqualTo(PrometheusTextTest.SAMPLE_API);
    }

    @Test
    void aBodyOverTheBoundIsGivenUpAsTooLarge() {
        assertThatThrownBy(() -> new ApiServerProxyFetcher(client, 1024 * 1024)
                        .fetch(target("/big"))
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(ScrapeException.class)
                .hasMessage("the metrics body is over 1024 KiB")
                .satisfies(e -> assertThat(((ScrapeException) e).failure()).isEqualTo(ScrapeFailure.TOO_LARGE));
    }

    @Test
    void aStatusOtherThan200NamesOnlyTheStatus() {
        assertThatThrownBy(() -> new ApiServerProxyFetcher(client)
                        .fetch(target("/missing"))
                        .join())
                .cause()
                .isInstanceOf(ScrapeException.class)
                .hasMessage("the pod proxy answered HTTP 404 for /missing");
    }

    /** The first IPv4 address of an interface that is up and not loopback. */
    static String machineAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        throw new IllegalStateException("this machine has no IPv4 address other than loopback for the stand-in pod");
    }
}
