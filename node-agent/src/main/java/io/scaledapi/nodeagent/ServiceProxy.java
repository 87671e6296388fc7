package io.scaledapi.nodeagent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What kube-proxy does for a real node, with nginx: each Service port gets a local port on 127.0.0.1 (printed in
 * {@code services.txt}), balanced round-robin over the ready pods its selector picks (HTTP, or TCP for a port that
 * declares another {@code appProtocol}); nginx is reloaded whenever they change. The pods' own readiness is read directly: the API server refuses EndpointSlices with loopback
 * addresses ("may not be in the loopback range"), and pods here live on 127.0.10.x.
 */
final class ServiceProxy implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProxy.class);

    private final Path dir;
    private final Map<String, Integer> localPorts = new ConcurrentHashMap<>();
    private Process nginx;
    private String lastConfig = "";

    ServiceProxy(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("logs"));
    }

    /** Rewrites the configuration from the cluster's Services and pods; reloads nginx when it changed. */
    synchronized void sync(List<Service> services, List<Pod> pods) throws IOException, InterruptedException {
        StringBuilder servers = new StringBuilder();
        StringBuilder streams = new StringBuilder();
        Map<String, String> table = new TreeMap<>();
        for (Service service : services) {
            Map<String, String> selector = service.getSpec().getSelector();
            if (selector == null || selector.isEmpty()) {
                continue;
            }
            String ns = service.getMetadata().getNamespace();
            String name = service.getMetadata().getName();
            List<Pod> ready = pods.stream()
                    .filter(p -> ns.equals(p.getMetadata().getNamespace()))
                    .filter(p -> p.getMetadata().getLabels() != null
                            && p.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()))
                    .filter(ServiceProxy::isReady)
                    .toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                String key = ns + "/" + name + ":" + port.getPort();
                int local = localPorts.computeIfAbsent(key, k -> freePort());
                List<String> upstreams = new ArrayList<>();
                for (Pod pod : ready) {
                    Integer target = targetPort(pod, port);
                    if (target != null) {
                        upstreams.add(pod.getStatus().getPodIP() + ":" + target);
                    }
                }
                String upstream = "svc_" + key.replaceAll("[^A-Za-z0-9]", "_");
                StringBuilder block = isTcp(port) ? streams : servers;
                block.append("  upstream ").append(upstream).append(" {\n");
                if (upstreams.isEmpty()) {
                    block.append("    server 127.0.0.1:1 down;\n");
                } else {
                    upstreams.stream()
                            .sorted()
                            .forEach(u -> block.append("    server ").append(u).append(";\n"));
                }
                if (isTcp(port)) {
                    // A plain TCP protocol (Redis): connections are passed through as they are.
                    streams.append("  }\n  server {\n    listen 127.0.0.1:")
                            .append(local)
                            .append(";\n    proxy_pass ")
                            .append(upstream)
                            .append(";\n  }\n");
                    table.put(
                            key,
                            "127.0.0.1:" + local + " -> "
                                    + (upstreams.isEmpty() ? "(no ready endpoints)" : String.join(" ", upstreams))
                                    + " (tcp)");
                    continue;
                }
                servers.append("    keepalive 64;\n  }\n");
                servers.append("  server {\n    listen 127.0.0.1:")
                        .append(local)
                        .append(";\n")
                        .append("    location / {\n      proxy_pass http://")
                        .append(upstream)
                        .append(";\n")
                        .append("      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n")
                        .append("      proxy_next_upstream error timeout;\n    }\n  }\n");
                table.put(
                        key,
                        "127.0.0.1:" + local + " -> "
                                + (upstreams.isEmpty() ? "(no ready endpoints)" : String.join(" ", upstreams)));
            }
        }
        String config = (streams.isEmpty() ? "" : "load_module " + STREAM_MODULE + ";\n")
                + """
                worker_processes 2;
                pid %1$s/nginx.pid;
                error_log %1$s/logs/error.log warn;
                events { worker_connections 4096; }
                http {
                  # One line a request (arrival time, seconds taken, status, Service port), buffered: what the demo
                  # reads for latency over time, as a load balancer's log is read.
                  log_format timing '$msec $request_time $status $server_port';
                  access_log %1$s/logs/access.log timing buffer=64k flush=1s;
                  client_body_temp_path %1$s/tmp; proxy_temp_path %1$s/tmp; fastcgi_temp_path %1$s/tmp;
                  uwsgi_temp_path %1$s/tmp; scgi_temp_path %1$s/tmp;
                %2$s}
                """.formatted(dir.toAbsolutePath(), servers)
                + (streams.isEmpty() ? "" : "stream {\n" + streams + "}\n");
        if (config.equals(lastConfig)) {
            return;
        }
        Files.writeString(dir.resolve("nginx.conf"), config);
        StringBuilder listing = new StringBuilder();
        table.forEach((k, v) -> listing.append(k).append(' ').append(v).append('\n'));
        Files.writeString(dir.resolve("services.txt"), listing.toString());
        if (nginx == null || !nginx.isAlive()) {
            nginx = new ProcessBuilder(
                            "nginx",
                            "-c",
                            dir.resolve("nginx.conf").toAbsolutePath().toString(),
                            "-p",
                            dir.toAbsolutePath().toString(),
                            "-g",
                            "daemon off;")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("logs/nginx.out").toFile())
                    .start();
        } else {
            new ProcessBuilder(
                            "nginx",
                            "-c",
                            dir.resolve("nginx.conf").toAbsolutePath().toString(),
                            "-p",
                            dir.toAbsolutePath().toString(),
                            "-s",
                            "reload")
                    .inheritIO()
                    .start()
                    .waitFor();
        }
        lastConfig = config;
        log.info("service proxy updated: {}", table);
    }

    /**
     * {@code 127.0.0.1:port} for a Service port ({@code namespace/name:port}), allocated now if the proxy has not
     * served it yet: a pod that starts before the Service is synced gets the port the proxy will listen on.
     */
    String allocate(String servicePort) {
        return "127.0.0.1:" + localPorts.computeIfAbsent(servicePort, k -> freePort());
    }

    /** {@code 127.0.0.1:port} for a Service port ({@code namespace/name:port}) once it has been served, else null. */
    String address(String servicePort) {
        Integer local = localPorts.get(servicePort);
        return local == null ? null : "127.0.0.1:" + local;
    }

    /** Debian's libnginx-mod-stream (dev/install-prerequisites installs it): TCP proxying, loaded only when needed. */
    static final String STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

    /**
     * A port whose application protocol is declared and is not HTTP (a Redis Service's {@code appProtocol: redis}) is
     * proxied as TCP; every other port as HTTP, so that its requests reach the access log the demo reads.
     */
    static boolean isTcp(ServicePort port) {
        String protocol = port.getAppProtocol();
        return protocol != null
                && !protocol.toLowerCase(java.util.Locale.ROOT).startsWith("http")
                && !protocol.toLowerCase(java.util.Locale.ROOT).contains("h2c");
    }

    /** Ready, not terminating, with an address: what the EndpointSlice controller would list. */
    static boolean isReady(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null
                && pod.getStatus() != null
                && pod.getStatus().getPodIP() != null
                && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Integer targetPort(Pod pod, ServicePort port) {
        if (port.getTargetPort() == null) {
            return port.getPort();
        }
        if (port.getTargetPort().getIntVal() != null) {
            return port.getTargetPort().getIntVal();
        }
        for (var container : pod.getSpec().getContainers()) {
            for (var p : container.getPorts()) {
                if (port.getTargetPort().getStrVal().equals(p.getName())) {
                    return p.getContainerPort();
                }
            }
        }
        return null;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (nginx != null) {
            nginx.destroy();
        }
    }
}
