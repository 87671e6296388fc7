package io.scaledapi.sampleapi.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RelayTargetTest {

    private static final URI UPSTREAM = URI.create("http://127.0.0.1:9000/base");

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            data/x.json         | -           | http://127.0.0.1:9000/base/data/x.json
            a/b/c               | q=1&r=two   | http://127.0.0.1:9000/base/a/b/c?q=1&r=two
            items/caf%C3%A9     | -           | http://127.0.0.1:9000/base/items/caf%C3%A9
            dir/                | -           | http://127.0.0.1:9000/base/dir/
            v1/users            | id=3;x=4    | http://127.0.0.1:9000/base/v1/users?id=3;x=4
            """)
    void acceptedPathsStayUnderTheUpstream(String path, String query, String expected) {
        assertThat(RelayTarget.parse(path, query).resolveAgainst(UPSTREAM)).isEqualTo(URI.create(expected));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "..",
                "../secret",
                "a/../../secret",
                "a/./b",
                ".",
                "a/..",
                "%2e%2e/secret",
                "%2E%2E/secret",
                "a/%2f/b",
                "a%2Fb",
                "a%5cb",
                "%252e%252e/x",
                "a%00b",
                "/etc/passwd",
                "//evil.example/x",
                "a//b",
                "http:",
                "http:%2F%2Fevil.example",
                "https://evil.example/x",
                "a\\b",
                "a b",
                "a\"b",
                "a<b>",
                "a%zz",
                "a%4",
                "a{b}",
                "a|b",
                "a^b",
                "a`b",
                "a#b",
                // path parameters: some servers read "..;" as ".."
                "v1/users;id=3",
                "..;/secret",
                "a/..;/b",
                // bytes that are not UTF-8: an overlong '.' or '/', a lone continuation byte, a cut sequence
                "%c0%ae%c0%ae/secret",
                "a%c0%afb",
                "%e0%80%ae%e0%80%ae/secret",
                "a%80b",
                "a%ffb",
                "a%c3"
            })
    void refusedPaths(String path) {
        assertThatThrownBy(() -> RelayTarget.parse(path, null).resolveAgainst(UPSTREAM))
                .isInstanceOf(RelayTarget.RefusedException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "x=<script>", "q=%zz", "a\"b", "a#b"})
    void refusedQueries(String query) {
        assertThatThrownBy(() -> RelayTarget.parse("ok", query)).isInstanceOf(RelayTarget.RefusedException.class);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            max-age=30                    | 30
            public, max-age=120           | 120
            s-maxage=10, max-age=60       | 10
            max-age="15"                  | 15
            """)
    void maxAgeIsTheShortestFreshnessGiven(String cacheControl, long seconds) {
        assertThat(RelayOrigin.maxAge(cacheControl))
                .hasValueSatisfying(d -> assertThat(d.getSeconds()).isEqualTo(seconds));
    }
}
