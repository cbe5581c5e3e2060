package io.reseal.pipeline.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ErrorCodeTest {

    @Test
    void theWireFormIsTheKebabCaseNameRecordsAlwaysCarried() {
        assertThat(ErrorCode.INVALID_JSON.wire()).isEqualTo("invalid-json");
        assertThat(ErrorCode.NOT_A_CLOUDEVENT.wire()).isEqualTo("not-a-cloudevent");
        assertThat(ErrorCode.S3_BUCKET_MISSING.wire()).isEqualTo("s3-bucket-missing");
        assertThat(ErrorCode.OUTPUT_TOO_LARGE).hasToString("output-too-large");
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::wire))
                .allMatch(code -> code.matches("[a-z0-9]+(-[a-z0-9]+)*"))
                .doesNotHaveDuplicates();
    }
}
