package io.scaledapi.sampleapi.cache;

/** Which tier answered a request; sent to clients as {@code X-Cache-Source}. */
public enum CacheSource {
    /** This pod's own cache. */
    LOCAL,
    /** The shared tier (Redis) behind the pods' caches. */
    SHARED,
    /** The origin itself. */
    ORIGIN;

    /** The header's value: {@code local}, {@code shared} or {@code origin}. */
    public String headerValue() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
