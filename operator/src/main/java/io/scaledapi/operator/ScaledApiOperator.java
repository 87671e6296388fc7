package io.scaledapi.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scaledapi.operator.metrics.ApiServerProxyFetcher;
import io.scaledapi.operator.metrics.DirectFetcher;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.reconcile.ScaledApiReconciler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operator process: the reconciler, leader election, and the health and metrics endpoint. */
public final class ScaledApiOperator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ScaledApiOperator.class);

    private final Operator operator;
    private final HealthAndMetricsServer health;
    private final PrometheusMeterRegistry registry;
    private final PodScraper scraper;
    private final ScaledApiReconciler reconciler;

    public ScaledApiOperator(KubernetesClient client, OperatorSettings settings, Clock clock) throws IOException {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    // Least privilege: the operator never reads CRDs; a missing CRD shows as a failing informer.
                    .checkingCRDAndValidateLocalModel(false)
                    .withMetrics(MicrometerMetrics.withoutPerResourceMetrics(registry))
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10));
            if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(new LeaderElectionConfiguration(
                        settings.leaseName(),
                        settings.leaseNamespace(),
                        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
                        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
                        settings.identity(),
                        null,
                        settings.exitOnLostLease()));
            }
        });
        var scrapeThreads = PodScraper.newExecutor(Math.min(settings.scrapeParallelism(), 64));
        scraper = new PodScraper(
                settings.scrapeMode().equals("direct")
                        ? new DirectFetcher(settings.scrapeTimeout(), scrapeThreads)
                        : new ApiServerProxyFetcher(client),
                settings.scrapeTimeout(),
                settings.scrapeParallelism(),
                scrapeThreads);
        reconciler = new ScaledApiReconciler(client, clock, scraper, registry);
        operator.register(reconciler, c -> {
            if (!settings.watchNamespaces().isEmpty()) {
                c.settingNamespaces(settings.watchNamespaces());
            }
        });
        // Live while the process runs: an API server that is away makes the operator unready, not dead, so a short
        // outage does not get it restarted. Ready once started with every informer connected.
        health = new HealthAndMetricsServer(
                settings.healthAddress(),
                settings.healthPort(),
                () -> true,
                () -> operator.getRuntimeInfo().isStarted()
                        && operator.getRuntimeInfo().allEventSourcesAreHealthy(),
                registry);
        log.info(
                "operator configured: namespaces={} leaderElection={} identity={} health port={} scrape={}",
                settings.watchNamespaces().isEmpty() ? "all" : settings.watchNamespaces(),
                settings.leaderElection(),
                settings.identity(),
                health.port(),
                settings.scrapeMode());
    }

    public void start() {
        operator.start();
    }

    public int healthPort() {
        return health.port();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        log.info("operator stopping");
        operator.stop();
        reconciler.close();
        scraper.close();
        health.close();
        registry.close();
    }

    public static void main(String[] args) throws Exception {
        OperatorSettings settings = OperatorSettings.fromEnvironment(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        ScaledApiOperator app = new ScaledApiOperator(client, settings, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            app.close();
                            client.close();
                            stopped.countDown();
                        },
                        "shutdown"));
        app.start();
        stopped.await();
    }
}
