package io.scaledapi.sampleapi.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QueryVariantsTest {

    @Test
    void pastTheBoundANewQueryStringOfAPathIsNotCachedAndOldOnesStillAre() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        QueryVariants variants = new QueryVariants(3, Duration.ofMinutes(1), registry);
        for (int i = 0; i < 3; i++) {
            assertThat(variants.cacheable(RelayTarget.parse("items", "page=" + i)))
                    .isTrue();
        }
        assertThat(variants.cacheable(RelayTarget.parse("items", "page=3"))).isFalse();
        assertThat(variants.cacheable(RelayTarget.parse("items", "page=1")))
                .as("one already cached")
                .isTrue();
        assertThat(variants.cacheable(RelayTarget.parse("items", null)))
                .as("no query")
                .isTrue();
        assertThat(variants.cacheable(RelayTarget.parse("other", "page=9")))
                .as("another path")
                .isTrue();
        assertThat(registry.get("relay.queries.uncached").counter().count()).isEqualTo(1);
    }
}
