package io.scaledapi.sampleapi.cache;

/**
 * A cache key as text, so that it can name an entry in the shared tier and travel in the list of hot keys that a new
 * pod loads at start. {@code decode} returns null for text that is not a key (a list written by another version).
 */
public interface KeyCodec<K> {

    String encode(K key);

    K decode(String text);
}
