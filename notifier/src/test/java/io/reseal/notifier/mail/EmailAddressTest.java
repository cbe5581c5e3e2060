package io.reseal.notifier.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"a@example.com", "first.last+tag@sub.example.co.uk", "root@localhost", "o'brien@example.com"})
    void acceptsPlainAddresses(String value) {
        assertThat(new EmailAddress(value).value()).isEqualTo(value);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("a@example.com\nBcc: b@example.com", "it contains a line break"),
                Arguments.of("a@example.com\r", "it contains a line break"),
                Arguments.of("a@exa\u0000mple.com", "it contains a control character"),
                Arguments.of("a@example.com,b@example.com", "it contains a list separator"),
                Arguments.of("<a@example.com>", "it contains an angle bracket"),
                Arguments.of("a b@example.com", "it contains whitespace"),
                Arguments.of("", "it is empty"),
                Arguments.of("example.com", "it is not of the form local@domain"),
                Arguments.of("a@b@example.com", "it is not of the form local@domain"),
                Arguments.of("a@", "it is not of the form local@domain"),
                Arguments.of(".a@example.com", "the part before '@' is not a plain local part"),
                Arguments.of("a@-example.com", "the part after '@' is not a domain name"),
                Arguments.of("a@example..com", "the part after '@' is not a domain name"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesAnythingElseWithTheReason(String value, String reason) {
        assertThatThrownBy(() -> new EmailAddress(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .message().doesNotContain("\n", "\r");
    }

    @ParameterizedTest
    @ValueSource(strings = {"A@Example.COM", "a@example.com"})
    void keyIgnoresCase(String value) {
        assertThat(new EmailAddress(value).key()).isEqualTo("a@example.com");
    }
}
