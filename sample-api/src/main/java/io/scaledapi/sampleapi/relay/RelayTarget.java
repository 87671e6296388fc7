package io.scaledapi.sampleapi.relay;

import io.scaledapi.sampleapi.cache.KeyCodec;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A path under the one configured upstream, checked so that a request can never reach anything else: no
 * {@code .} or {@code ..} segments, no empty segments, no encoded slashes, dots, backslashes or percent signs
 * (double encoding), no scheme or authority, only the characters RFC 3986 allows in a path and query.
 * The result is also checked after URI normalisation to still lie under the upstream's base.
 */
public record RelayTarget(String path, String query) {

    // unreserved / sub-delims / ':' / '@' / pct-encoded, per RFC 3986 section 3.3, but no ';': path parameters
    // ("..;/") are read as '..' by some upstream servers.
    private static final Pattern PATH_CHARS = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,=:@/%]+");
    private static final Pattern QUERY_CHARS = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@/?%]*");
    private static final Pattern PERCENT = Pattern.compile("%(?![0-9A-Fa-f]{2})");
    private static final int MAX_LENGTH = 2048;

    /** The path and query as {@code toString} writes them, checked again by {@link #parse} when read back. */
    public static final KeyCodec<RelayTarget> CODEC = new KeyCodec<>() {
        @Override
        public String encode(RelayTarget target) {
            return target.toString();
        }

        @Override
        public RelayTarget decode(String text) {
            int query = text.indexOf('?');
            try {
                return query < 0 ? parse(text, null) : parse(text.substring(0, query), text.substring(query + 1));
            } catch (RefusedException e) {
                return null;
            }
        }
    };

    /** Why a relay path was refused; the message is safe to show to the client. */
    public static final class RefusedException extends IllegalArgumentException {
        public RefusedException(String message) {
            super(message);
        }
    }

    /**
     * @param rawPath  the request path after {@code /relay/}, still percent-encoded
     * @param rawQuery the raw query string, or null
     */
    public static RelayTarget parse(String rawPath, String rawQuery) {
        if (rawPath == null || rawPath.isEmpty()) {
            throw new RefusedException("relay path is empty");
        }
        if (rawPath.length() + (rawQuery == null ? 0 : rawQuery.length()) > MAX_LENGTH) {
            throw new RefusedException("relay path is longer than " + MAX_LENGTH + " characters");
        }
        if (rawPath.indexOf(';') >= 0) {
            throw new RefusedException("relay path may not have ';' path parameters");
        }
        if (!PATH_CHARS.matcher(rawPath).matches()) {
            throw new RefusedException("relay path has characters that are not allowed in a URL path");
        }
        if (PERCENT.matcher(rawPath).find()) {
            throw new RefusedException("relay path has a malformed percent-encoding");
        }
        if (!validUtf8(rawPath)) {
            throw new RefusedException("relay path percent-encodes bytes that are not UTF-8 (such as an overlong '.')");
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2e", "%2f", "%5c", "%25", "%00"}) {
            if (lower.contains(encoded)) {
                throw new RefusedException("relay path may not encode '.', '/', '\\\\', '%' or NUL");
            }
        }
        if (rawPath.startsWith("/")) {
            throw new RefusedException("relay path may not start with '/' (no authority or absolute path)");
        }
        for (String segment : rawPath.split("/", -1)) {
            if (segment.isEmpty() && !rawPath.endsWith("/")) {
                throw new RefusedException("relay path has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new RefusedException("relay path may not contain '.' or '..' segments");
            }
        }
        if (rawPath.contains("//")) {
            throw new RefusedException("relay path has an empty segment");
        }
        String firstSegment = rawPath.split("/", 2)[0];
        if (firstSegment.contains(":")) {
            throw new RefusedException("relay path may not name a scheme or host");
        }
        if (rawQuery != null
                && (!QUERY_CHARS.matcher(rawQuery).matches()
                        || PERCENT.matcher(rawQuery).find())) {
            throw new RefusedException("relay query has characters that are not allowed in a URL query");
        }
        return new RelayTarget(rawPath, rawQuery == null || rawQuery.isEmpty() ? null : rawQuery);
    }

    /**
     * Whether the percent-encoded bytes decode as strict UTF-8: Java's decoder refuses overlong forms ({@code %c0%ae}
     * for '.'), which a lenient upstream would read as the character they spell.
     */
    private static boolean validUtf8(String rawPath) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                bytes.write(HexFormat.fromHexDigits(rawPath, i + 1, i + 3));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The upstream URI for this path; fails if, after normalisation, it would leave the upstream's base. */
    public URI resolveAgainst(URI upstream) {
        String base = upstream.getRawPath() == null || upstream.getRawPath().isEmpty() ? "/" : upstream.getRawPath();
        if (!base.endsWith("/")) {
            base = base + "/";
        }
        URI target = URI.create(upstream.getScheme() + "://" + upstream.getRawAuthority() + base + path
                        + (query == null ? "" : "?" + query))
                .normalize();
        if (!upstream.getScheme().equalsIgnoreCase(target.getScheme())
                || !upstream.getRawAuthority().equalsIgnoreCase(target.getRawAuthority())
                || target.getRawPath() == null
                || !target.getRawPath().startsWith(base)) {
            throw new RefusedException("relay path leaves the upstream");
        }
        return target;
    }

    @Override
    public String toString() {
        return query == null ? path : path + "?" + query;
    }
}
