package io.reseal.pipeline.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestRulesTest {

    private static RotationRequested request(String workflow, List<String> envs, String requestor, String reason) {
        return new RotationRequested(workflow, envs, List.of(), requestor, reason, Trigger.AD_HOC, null);
    }

    @Test
    void acceptsTheSeedScriptsArguments() {
        assertThat(RequestRules.check(request("financial-ml", List.of("dev", "production"),
                "financial-team@example.com", "quarterly rotation"))).isEmpty();
    }

    @Test
    void namesTheFieldThatBreaksARule() {
        assertThat(RequestRules.check(request("Financial_ML", List.of(), "a@example.com", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("workflow"));
        assertThat(RequestRules.check(request("../etc", List.of(), "a@example.com", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("workflow"));
        assertThat(RequestRules.check(request("a".repeat(53), List.of("staging-eu"), "a@example.com", null)))
                .hasValueSatisfying(e -> assertThat(e.message()).contains("longer than 63"));
        assertThat(RequestRules.check(request("ml", List.of("dev", "dev"), "a@example.com", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("environments"));
        assertThat(RequestRules.check(request("ml", List.of("dev\r\nBcc: x@evil.example"), "a@example.com", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("environments"));
        assertThat(RequestRules.check(request("ml", List.of(), "a@example.com\r\nBcc: x@evil.example", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("requestor"));
        assertThat(RequestRules.check(request("ml", List.of(), "Team <a@example.com>", null)))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("requestor"));
        assertThat(RequestRules.check(request("ml", List.of(), "a@example.com", "line one\nline two")))
                .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("reason"));
    }

    @Test
    void anIdempotencyBindingIsTwoHexSha256Digests() {
        RotationRequested request = request("financial-ml", List.of("dev"), "a@example.com", null);
        assertThat(RequestRules.check(request.withIdempotency(new RequestIdempotency("a".repeat(64), "0".repeat(64)))))
                .isEmpty();
        for (RequestIdempotency broken : List.of(new RequestIdempotency("the-key-itself", "0".repeat(64)),
                new RequestIdempotency("a".repeat(64), null), new RequestIdempotency("A".repeat(64), "0".repeat(64)))) {
            assertThat(RequestRules.check(request.withIdempotency(broken))).as(broken.toString())
                    .hasValueSatisfying(e -> assertThat(e.field()).isEqualTo("idempotency"));
        }
    }

    @Test
    void printableNeverCarriesControlCharacters() {
        assertThat(RequestRules.printable("a\r\nb")).isEqualTo("a??b");
    }
}
