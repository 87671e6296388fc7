package io.scaledapi.operator;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The operator's settings, from its environment (the Helm chart sets them).
 *
 * @param watchNamespaces namespaces to watch ({@code WATCH_NAMESPACES}, comma-separated); empty means all
 * @param leaderElection  whether to take a Lease before acting ({@code LEADER_ELECTION}; default on inside a cluster)
 * @param leaseName       the Lease's name ({@code LEASE_NAME})
 * @param leaseNamespace  the Lease's namespace ({@code LEASE_NAMESPACE}, else {@code POD_NAMESPACE}, else default)
 * @param identity        this replica's name in the Lease ({@code POD_NAME}, else a random one)
 * @param healthAddress   where probes and metrics listen ({@code HEALTH_ADDRESS})
 * @param healthPort      their port ({@code HEALTH_PORT})
 * @param exitOnLostLease stop the process when leadership is lost, so that it restarts clean (always, but in tests)
 * @param scrapeMode      how pods are scraped ({@code SCRAPE_MODE}): {@code direct} to their address, {@code proxy}
 *                        through the API server, or {@code auto}: direct inside a cluster, proxy outside
 * @param scrapeTimeout   bound on one pod's scrape ({@code SCRAPE_TIMEOUT}, Go-style duration)
 * @param scrapeParallelism scrapes in flight at once ({@code SCRAPE_PARALLELISM})
 */
public record OperatorSettings(
        Set<String> watchNamespaces,
        boolean leaderElection,
        String leaseName,
        String leaseNamespace,
        String identity,
        String healthAddress,
        int healthPort,
        boolean exitOnLostLease,
        String scrapeMode,
        java.time.Duration scrapeTimeout,
        int scrapeParallelism) {

    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        Set<String> namespaces = Arrays.stream(
                        env.getOrDefault("WATCH_NAMESPACES", "").split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        boolean inCluster = env.containsKey("KUBERNETES_SERVICE_HOST");
        String leaderElection =
                env.getOrDefault("LEADER_ELECTION", Boolean.toString(inCluster)).trim();
        if (!leaderElection.equals("true") && !leaderElection.equals("false")) {
            throw new IllegalArgumentException("LEADER_ELECTION must be true or false, got '" + leaderElection + "'");
        }
        String port = env.getOrDefault("HEALTH_PORT", "8081");
        int healthPort;
        try {
            healthPort = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("HEALTH_PORT must be a port number, got '" + port + "'");
        }
        if (healthPort < 0 || healthPort > 65535) {
            throw new IllegalArgumentException("HEALTH_PORT must be between 0 and 65535, got " + healthPort);
        }
        return new OperatorSettings(
                namespaces,
                Boolean.parseBoolean(leaderElection),
                env.getOrDefault("LEASE_NAME", "scaledapi-operator"),
                env.getOrDefault("LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "default")),
                env.getOrDefault(
                        "POD_NAME",
                        "scaledapi-operator-" + UUID.randomUUID().toString().substring(0, 8)),
                env.getOrDefault("HEALTH_ADDRESS", "0.0.0.0"),
                healthPort,
                true,
                scrapeMode(env.getOrDefault("SCRAPE_MODE", "auto"), inCluster),
                io.scaledapi.autoscaler.Durations.parse(env.getOrDefault("SCRAPE_TIMEOUT", "1s")),
                positive("SCRAPE_PARALLELISM", env.getOrDefault("SCRAPE_PARALLELISM", "32")));
    }

    private static String scrapeMode(String mode, boolean inCluster) {
        switch (mode) {
            case "auto":
                return inCluster ? "direct" : "proxy";
            case "direct":
            case "proxy":
                return mode;
            default:
                throw new IllegalArgumentException("SCRAPE_MODE must be auto, direct or proxy, got '" + mode + "'");
        }
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException(name + " must be a positive whole number, got '" + value + "'");
    }
}
