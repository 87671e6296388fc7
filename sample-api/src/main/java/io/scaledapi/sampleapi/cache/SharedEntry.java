package io.scaledapi.sampleapi.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A response as the shared tier holds it. The tier keeps the remaining freshness itself (the key expires with it), so
 * a pod that reads the entry gets what is left of the TTL, never a new one; {@code ttlMillis} is the freshness the
 * entry had when the origin answered, for {@code Age}.
 *
 * @param freshMillisLeft freshness left when read; ignored when written (the writer sets the key's expiry)
 */
public record SharedEntry(int status, String contentType, byte[] body, long ttlMillis, long freshMillisLeft) {

    private static final byte FORMAT = 1;

    /** The stored form: a format byte, then status, TTL, content type and body. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(body.length + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
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

    /** The entry, or null when the bytes are not one this version wrote (treated as a miss). */
    public static SharedEntry decode(byte[] stored, long freshMillisLeft) {
        if (stored == null || stored.length < 1 || stored[0] != FORMAT) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            in.readByte();
            int status = in.readUnsignedShort();
            long ttl = in.readLong();
            String contentType = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length > stored.length) {
                return null;
            }
            byte[] body = in.readNBytes(length);
            if (body.length != length) {
                return null;
            }
            return new SharedEntry(status, contentType.isEmpty() ? null : contentType, body, ttl, freshMillisLeft);
        } catch (IOException e) {
            return null;
        }
    }
}
