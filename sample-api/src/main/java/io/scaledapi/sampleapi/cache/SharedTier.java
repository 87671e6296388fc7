package io.scaledapi.sampleapi.cache;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A cache shared by all pods of an API, behind each pod's own cache. Reads never fail: a tier that is down, slow or
 * holds something unreadable answers "nothing" within its time bound, and the caller goes to the origin.
 */
public interface SharedTier {

    /** The entry under a key, or null (a miss, or no answer in time). */
    CompletableFuture<SharedEntry> get(String key);

    /** Entries for many keys, for a warm start: present keys only. */
    CompletableFuture<Map<String, SharedEntry>> getAll(List<String> keys);

    /** Stores an entry for {@code freshMillis}; fire and forget (a failure is counted, never thrown). */
    void put(String key, SharedEntry entry, long freshMillis);

    /**
     * Publishes a cache's hottest keys, hottest first, for new pods to load; completes when the tier has them or the
     * write failed (counted, never thrown).
     */
    CompletableFuture<Void> publishHotKeys(String cacheName, List<String> keys);

    /** The hottest keys the running pods last published, hottest first; empty when there are none. */
    CompletableFuture<List<String>> hotKeys(String cacheName);

    /** Whether there is a shared tier at all. */
    default boolean enabled() {
        return true;
    }

    /** No shared tier: each pod's cache goes straight to the origin. */
    SharedTier NONE = new SharedTier() {
        @Override
        public CompletableFuture<SharedEntry> get(String key) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Map<String, SharedEntry>> getAll(List<String> keys) {
            return CompletableFuture.completedFuture(Map.of());
        }

        @Override
        public void put(String key, SharedEntry entry, long freshMillis) {}

        @Override
        public CompletableFuture<Void> publishHotKeys(String cacheName, List<String> keys) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<String>> hotKeys(String cacheName) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };
}
