package io.scaledapi.sampleapi;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import reactor.netty.resources.LoopResources;

/**
 * The management server (metrics and probes, on {@code management.server.port}) runs on an event loop of its own.
 * Spring would otherwise run it on the same loops as the API, where a scrape waits behind every queued API request:
 * an overloaded pod then looks dead to its autoscaler (every scrape timed out) and to its liveness probe. With a loop
 * of its own, a scrape waits only for its share of the pod's CPU.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class ManagementServerConfiguration {

    /** One thread: a scrape every few seconds and a probe or two need no more, and it competes with the API for CPU. */
    @Bean(destroyMethod = "dispose")
    LoopResources managementLoop() {
        return LoopResources.create("management-http", 1, true);
    }

    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> managementOnItsOwnLoop(LoopResources managementLoop) {
        return factory -> factory.addServerCustomizers(server -> server.runOn(managementLoop));
    }
}
