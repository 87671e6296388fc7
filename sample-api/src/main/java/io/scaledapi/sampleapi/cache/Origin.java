package io.scaledapi.sampleapi.cache;

import java.util.concurrent.CompletableFuture;

/**
 * The slow source behind a {@link ResponseCache}. A failed future means the origin could not answer
 * (it is down, overloaded or timed out): the cache then serves a stale copy if it still has one.
 */
@FunctionalInterface
public interface Origin<K> {

    CompletableFuture<OriginResponse> fetch(K key);
}
