package io.reseal.sealer.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.sealer.values.Generator.Kind;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GeneratorTest {

    private static final String LETTERS_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private final SecureRandom random = new SecureRandom();

    @Test
    void passwordDefaultsTo32CharactersOfLettersDigitsAndSymbols() {
        // given
        Generator generator = new Generator(Kind.PASSWORD, null, null);

        // when
        String value = ascii(generator.generate(random));

        // then
        assertThat(value).hasSize(32);
        assertThat(value).matches("[A-Za-z0-9\\-_.~!@#%^*+=]{32}");
    }

    @Test
    void passwordsDrawOnSymbolsToo() {
        // given
        Generator generator = new Generator(Kind.PASSWORD, 4096, null);

        // when
        Set<Character> used = chars(ascii(generator.generate(random)));

        // then: 4096 draws from 74 characters miss a symbol with negligible probability
        assertThat(used).containsAnyOf('-', '_', '.', '~', '!', '@', '#', '%', '^', '*', '+', '=');
        assertThat(used).hasSizeGreaterThan(62);
    }

    @Test
    void tokenUsesLettersAndDigitsOnly() {
        // given
        Generator generator = new Generator(Kind.TOKEN, 2000, null);

        // when
        String value = ascii(generator.generate(random));

        // then
        assertThat(value).hasSize(2000).matches("[A-Za-z0-9]+");
        assertThat(chars(value)).hasSize(LETTERS_DIGITS.length());
    }

    @Test
    void hexHasExactlyTheRequestedNumberOfCharactersEvenWhenOdd() {
        // given
        Generator generator = new Generator(Kind.HEX, 9, null);

        // when
        String value = ascii(generator.generate(random));

        // then
        assertThat(value).hasSize(9).matches("[0-9a-f]{9}");
    }

    @Test
    void base64EncodesTheRequestedNumberOfRandomBytes() {
        // given
        Generator generator = new Generator(Kind.BASE64, 16, null);

        // when
        byte[] value = generator.generate(random);

        // then
        assertThat(Base64.getDecoder().decode(value)).hasSize(16);
        assertThat(ascii(value)).hasSize(24);
    }

    @Test
    void aGivenAlphabetReplacesTheKindsOwn() {
        // given
        String alphabet = "abcdefghijklmnop";
        Generator generator = new Generator(Kind.TOKEN, 1000, alphabet);

        // when
        Set<Character> used = chars(ascii(generator.generate(random)));

        // then
        assertThat(used).isEqualTo(chars(alphabet));
    }

    @Test
    void everyCallIsFresh() {
        // given
        Generator generator = new Generator(Kind.TOKEN, 32, null);

        // when
        String first = ascii(generator.generate(random));
        String second = ascii(generator.generate(random));

        // then
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void refusesInvalidSettingsWithAMessageNamingTheField() {
        assertThatThrownBy(() -> new Generator(null, 32, null))
                .hasMessage("generate.kind is required: password, token, hex or base64");
        assertThatThrownBy(() -> new Generator(Kind.TOKEN, 7, null)).hasMessage("generate.length must be 8 to 4096");
        assertThatThrownBy(() -> new Generator(Kind.TOKEN, 4097, null)).hasMessage("generate.length must be 8 to 4096");
        assertThatThrownBy(() -> new Generator(Kind.HEX, 32, "abcdefghijklmnop"))
                .hasMessage("generate.alphabet applies to password and token only");
        assertThatThrownBy(() -> new Generator(Kind.PASSWORD, 32, "abcdefghijklmnoo"))
                .hasMessage("generate.alphabet needs at least 16 distinct printable ASCII characters");
        assertThatThrownBy(() -> new Generator(Kind.PASSWORD, 32, "abcdefghijklmno p"))
                .hasMessage("generate.alphabet needs at least 16 distinct printable ASCII characters");
    }

    @Test
    void kindsAreReadByTheirLowerCaseNames() {
        assertThat(Kind.of("base64")).isEqualTo(Kind.BASE64);
        assertThatThrownBy(() -> Kind.of("uuid"))
                .hasMessage("unknown generator kind 'uuid': expected password, token, hex or base64");
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static Set<Character> chars(String s) {
        return s.chars().mapToObj(c -> (char) c).collect(Collectors.toSet());
    }
}
