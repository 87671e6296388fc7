package io.scaledapi.sampleapi.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.springframework.util.InvalidMimeTypeException;
import org.springframework.util.MimeType;
import org.springframework.util.MimeTypeUtils;

/**
 * A response as the shared tier holds it. The tier keeps the remaining freshness itself (the key expires with it), so
 * a pod that reads the entry gets what is left of the TTL, never a new one; {@code ttlMillis} is the freshness the
 * entry had when the origin answered, for {@code Age}.
 *
 * <p>Anything that can reach the Redis can write to it, so what is read back is checked, never trusted: the value
 * names the key it was written under (a value copied to another key, or another API's prefix, is refused), and its
 * status and content type must be ones this pod would have stored itself.
 *
 * @param freshMillisLeft freshness left when read; ignored when written (the writer sets the key's expiry)
 */
public record SharedEntry(int status, String contentType, byte[] body, long ttlMillis, long freshMillisLeft) {

    private static final byte FORMAT = 2;
    /** The statuses a cache may store without an explicit freshness (RFC 9111 4.2.2) that are a 2xx. */
    static final Set<Integer> STATUSES = Set.of(200, 203, 204);
    /** Media types a response is served with; a value claiming anything else was not written by a pod. */
    static final Set<String> TOP_LEVEL_TYPES = Set.of("application", "text", "image", "font", "audio", "video");

    private static final int MAX_CONTENT_TYPE_LENGTH = 256;

    /** Why a stored value was refused: a tag of {@code cache.shared.refused}. */
    enum Refusal {
        GARBAGE,
        WRONG_KEY,
        STATUS,
        CONTENT_TYPE,
        TOO_LARGE;

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A stored value this pod will not serve. */
    static final class RefusedException extends RuntimeException {
        private final Refusal refusal;

        RefusedException(Refusal refusal, String message) {
            super(message, null, false, false);
            this.refusal = refusal;
        }

        Refusal refusal() {
            return refusal;
        }
    }

    /** Whether a response may go to the shared tier at all: only what {@link #decode} would accept back. */
    static boolean storable(int status, String contentType) {
        return STATUSES.contains(status) && validContentType(contentType);
    }

    /** The stored form under {@code storedKey}: a format byte, the key, then status, TTL, content type and body. */
    public byte[] encode(String storedKey) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + storedKey.length() + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeUTF(storedKey);
            out.writeShort(status);
            out.writeLong(ttlMillis);
            out.writeUTF(contentType == null ? "" : contentType);
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /**
     * The entry stored under {@code storedKey}.
     *
     * @throws RefusedException when the bytes are not a value a pod wrote under this key, or hold a status or content
     *     type a pod would not have stored
     */
    public static SharedEntry decode(byte[] stored, String storedKey, long freshMillisLeft) {
        if (stored.length < 1 || stored[0] != FORMAT) {
            throw new RefusedException(Refusal.GARBAGE, "not a value this version writes");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            in.readByte();
            if (!storedKey.equals(in.readUTF())) {
                throw new RefusedException(Refusal.WRONG_KEY, "written for another key");
            }
            int status = in.readUnsignedShort();
            long ttl = in.readLong();
            String contentType = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length != in.available() || ttl < 0) {
                throw new RefusedException(Refusal.GARBAGE, "lengths do not match the value");
            }
            if (!STATUSES.contains(status)) {
                throw new RefusedException(Refusal.STATUS, "status " + status + " is not one a pod stores");
            }
            if (!validContentType(contentType)) {
                throw new RefusedException(Refusal.CONTENT_TYPE, "content type is not one a pod stores");
            }
            return new SharedEntry(status, contentType, in.readNBytes(length), ttl, freshMillisLeft);
        } catch (IOException e) {
            throw new RefusedException(Refusal.GARBAGE, "truncated value");
        }
    }

    /**
     * A media type as RFC 9110 writes it (Spring's parser checks every token, so CR, LF and other controls are
     * refused), under a top-level type responses are served with.
     */
    private static boolean validContentType(String contentType) {
        if (contentType == null || contentType.isEmpty() || contentType.length() > MAX_CONTENT_TYPE_LENGTH) {
            return false;
        }
        for (int i = 0; i < contentType.length(); i++) {
            char c = contentType.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        try {
            MimeType type = MimeTypeUtils.parseMimeType(contentType);
            return !type.isWildcardType() && !type.isWildcardSubtype() && TOP_LEVEL_TYPES.contains(type.getType());
        } catch (InvalidMimeTypeException e) {
            return false;
        }
    }
}
