package io.scaledapi.sampleapi;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The cached catalog API (or relay) that ScaledApi scales. Configuration comes from the environment. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApiApplication {

    public static void main(String[] args) {
        apiEventLoopsPerCpu();
        SpringApplication.run(SampleApiApplication.class, args);
    }

    /**
     * As many API event loops as the pod has CPUs (the JVM reads its CPU limit), not Reactor Netty's floor of four: under
     * a limit, loops past the CPU count add no throughput, and each busy one takes a share of the quota from the
     * management server's loop, which a scrape then waits for. Set before Reactor Netty reads it; an explicit
     * {@code -Dreactor.netty.ioWorkerCount} wins.
     */
    static void apiEventLoopsPerCpu() {
        if (System.getProperty("reactor.netty.ioWorkerCount") == null) {
            System.setProperty(
                    "reactor.netty.ioWorkerCount",
                    Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
    }
}
