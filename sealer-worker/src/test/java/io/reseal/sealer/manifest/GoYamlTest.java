package io.reseal.sealer.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoYamlTest {

    @Test
    void ordersKeysAsGoYamlDoes() {
        // when
        List<String> sorted = GoYamlKeyOrder.sorted(List.of("b", "a10", "AB", "a2", "A_B", ".dockerconfigjson", "Z"));

        // then non-letters before letters at the first difference, digit runs by value
        assertThat(sorted).containsExactly(".dockerconfigjson", "A_B", "AB", "Z", "a2", "a10", "b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "False", "yes", "on", "N", "~", "null", "", "123", "-7", "0x1F", "0o17", "1_000",
            "1.5", ".5", "1e3", "12:30", "2020-01-01", "2020-1-2T10:00:00Z", "<<", ".inf"})
    void quotesWhatGoYamlWouldReadBackAsNoString(String value) {
        assertThat(new GoYamlQuoting().needToQuoteValue(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Opaque", "mlops", "yes-please", "1.2.3", "0x", "v1", "2020-01", "kubernetes.io/tls", "a: b"})
    void leavesOtherStringsToTheEmitter(String value) {
        assertThat(new GoYamlQuoting().needToQuoteValue(value)).isFalse();
    }
}
