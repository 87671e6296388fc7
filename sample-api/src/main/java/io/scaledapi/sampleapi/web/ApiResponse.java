package io.scaledapi.sampleapi.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A response of the API, independent of the server that writes it. */
public record ApiResponse(int status, String contentType, byte[] body, List<Map.Entry<String, String>> headers) {

    public static final String PROBLEM_JSON = "application/problem+json";

    public ApiResponse withHeader(String name, String value) {
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new ApiResponse(status, contentType, body, more);
    }

    /** An RFC 9457 problem body. */
    public static ApiResponse problem(int status, String title, String detail, String instance) {
        StringBuilder json = new StringBuilder(128).append("{\"type\":\"about:blank\",\"title\":");
        appendString(json, title).append(",\"status\":").append(status).append(",\"detail\":");
        appendString(json, detail);
        if (instance != null) {
            appendString(
                    json.append(",\"instance\":"), instance.length() > 200 ? instance.substring(0, 200) : instance);
        }
        return new ApiResponse(
                status, PROBLEM_JSON, json.append('}').toString().getBytes(StandardCharsets.UTF_8), List.of());
    }

    /** A JSON string literal; request text ends up in problem details, so everything is escaped. */
    static StringBuilder appendString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
