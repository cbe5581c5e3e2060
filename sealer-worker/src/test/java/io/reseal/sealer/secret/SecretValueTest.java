package io.reseal.sealer.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretValueTest {

    @Test
    void toStringShowsOnlyTheLength() {
        // given
        SecretValue value = SecretValue.ofUtf8("hunter2-hunter2");

        // when
        String shown = value.toString();

        // then
        assertThat(shown).isEqualTo("SecretValue[***, 15 bytes]").doesNotContain("hunter2");
    }

    @Test
    void copiesBytesInAndOut() {
        // given
        byte[] source = "abc".getBytes(StandardCharsets.UTF_8);
        SecretValue value = SecretValue.of(source);

        // when
        source[0] = 'X';
        value.bytes()[1] = 'Y';

        // then
        assertThat(value.bytes()).isEqualTo("abc".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void destroyWipesAndBlocksReads() {
        // given
        SecretValue value = SecretValue.ofUtf8("abc");

        // when
        value.destroy();

        // then
        assertThat(value.isDestroyed()).isTrue();
        assertThat(value.toString()).isEqualTo("SecretValue[destroyed]");
        assertThatThrownBy(value::bytes).isInstanceOf(IllegalStateException.class).hasMessageNotContaining("abc");
    }

    @Test
    void equalContentsDoNotMakeEqualValues() {
        assertThat(SecretValue.ofUtf8("same")).isNotEqualTo(SecretValue.ofUtf8("same"));
    }
}
