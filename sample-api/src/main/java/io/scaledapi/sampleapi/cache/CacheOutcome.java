package io.scaledapi.sampleapi.cache;

/** How a response was served; sent to clients as {@code X-Cache}. */
public enum CacheOutcome {
    /** Fresh from the cache. */
    HIT,
    /** This request waited for the origin (it loaded the entry or joined a load in flight). */
    MISS,
    /** Expired, and the origin failed: served within the stale-if-error bound. */
    STALE
}
