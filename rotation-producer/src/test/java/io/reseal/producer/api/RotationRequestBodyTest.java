package io.reseal.producer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.config.WorkflowConfig.EnvironmentConfig;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.ProducerConfig.ApiToken;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotationRequestBodyTest {

    private static final ApiToken INFRA = new ApiToken("infra", ApiToken.sha256Hex("infra-token-0123456789"), List.of("*"));
    private static final ApiToken TEAM = new ApiToken("team", ApiToken.sha256Hex("team-token-0123456789"), List.of("financial-ml"));

    static Map<String, WorkflowConfig> workflows() {
        Map<String, EnvironmentConfig> envs = new LinkedHashMap<>();
        envs.put("dev", null);
        envs.put("production", null);
        Map<String, EnvironmentConfig> ghcrOnly = new LinkedHashMap<>();
        ghcrOnly.put("dev", null);
        return Map.of(
                "financial-ml", new WorkflowConfig("financial-ml", "financial-team@example.com", List.of("ml-platform", "ghcr"), envs, null),
                "fraud-ml", new WorkflowConfig("fraud-ml", null, List.of("ml-platform"), envs, null, null, null, List.of("@example.com")),
                "web", new WorkflowConfig("web", null, List.of("ghcr"), ghcrOnly, null, null, null, List.of("@example.com")));
    }

    private static RotationRequestBody parse(String json) throws RequestRejected {
        return RotationRequestBody.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static RequestRejected rejected(String json, ApiToken token) {
        return catchThrowableOfType(RequestRejected.class, () -> parse(json).plan(token, workflows(), "batch-1"));
    }

    @Test
    void validBodyBecomesOneAdHocRequest() throws Exception {
        List<RotationRequested> requests = parse("""
                {"workflow":"financial-ml","environments":["dev","production"],"requestor":"financial-team@example.com",
                 "bundles":["ghcr"],"reason":"leaked"}""").plan(TEAM, workflows(), null);

        assertThat(requests).containsExactly(new RotationRequested("financial-ml", List.of("dev", "production"),
                List.of("ghcr"), "financial-team@example.com", "leaked", Trigger.AD_HOC, null));
    }

    @Test
    void withoutReasonTheTokenNameIsRecorded() throws Exception {
        List<RotationRequested> requests = parse("""
                {"workflow":"financial-ml","environments":[],"requestor":"a@example.com"}""").plan(TEAM, workflows(), null);

        assertThat(requests.get(0).reason()).contains("'team'");
    }

    @Test
    void eachInvalidFieldIsNamed() {
        assertThat(rejected("{\"workflow\":\"Financial_ML\",\"environments\":[],\"requestor\":\"a@example.com\"}", INFRA))
                .returns("workflow", RequestRejected::field).returns(400, RequestRejected::status);
        assertThat(rejected("{\"environments\":[],\"requestor\":\"a@example.com\"}", INFRA))
                .returns("workflow", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"nope\",\"environments\":[],\"requestor\":\"a@example.com\"}", INFRA))
                .returns("workflow", RequestRejected::field).returns("unknown-workflow", RequestRejected::code);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"requestor\":\"a@example.com\"}", INFRA))
                .returns("environments", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"staging\"],\"requestor\":\"a@example.com\"}", INFRA))
                .returns("environments", RequestRejected::field).returns("unknown-environment", RequestRejected::code);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"],\"requestor\":\"not an address\"}", INFRA))
                .returns("requestor", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"]}", INFRA))
                .returns("requestor", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"],\"requestor\":\"a@example.com\",\"bundles\":[\"s3\"]}", INFRA))
                .returns("bundles", RequestRejected::field).returns("unknown-bundle", RequestRejected::code);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"],\"requestor\":\"a@example.com\",\"reason\":\"a\\nb\"}", INFRA))
                .returns("reason", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[\"dev\"],\"requestor\":\"a@example.com\",\"colour\":\"red\"}", INFRA))
                .returns("colour", RequestRejected::field).returns("unknown-field", RequestRejected::code);
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":\"dev\",\"requestor\":\"a@example.com\"}", INFRA))
                .returns("environments", RequestRejected::field).returns("invalid-type", RequestRejected::code);
    }

    @Test
    void malformedJsonIsRejectedWithoutAField() {
        for (String json : List.of("{\"workflow\":", "", "null", "[1]", "{} {}")) {
            assertThat(rejected(json, INFRA)).as(json)
                    .returns(400, RequestRejected::status)
                    .returns("invalid-json", RequestRejected::code)
                    .returns(null, RequestRejected::field);
        }
    }

    @Test
    void tokenForAnotherWorkflowIsForbidden() {
        assertThat(rejected("{\"workflow\":\"fraud-ml\",\"environments\":[],\"requestor\":\"a@example.com\"}", TEAM))
                .returns(403, RequestRejected::status);
        assertThat(rejected("{\"workflow\":\"*\",\"bundles\":[\"ghcr\"],\"requestor\":\"a@example.com\"}", TEAM))
                .returns(403, RequestRejected::status);
    }

    @Test
    void aRequestorOutsideTheWorkflowsAllowedAddressesIsForbidden() {
        // financial-ml allows its requestor's domain by default, fraud-ml lists @example.com
        assertThat(rejected("{\"workflow\":\"financial-ml\",\"environments\":[],\"requestor\":\"attacker@evil.test\"}", TEAM))
                .returns(403, RequestRejected::status).returns("requestor-not-allowed", RequestRejected::code)
                .returns("requestor", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"fraud-ml\",\"environments\":[],\"requestor\":\"a@example.org\"}", INFRA))
                .returns("requestor-not-allowed", RequestRejected::code);
        assertThat(rejected("{\"workflow\":\"*\",\"bundles\":[\"ghcr\"],\"requestor\":\"attacker@evil.test\"}", INFRA))
                .returns("requestor-not-allowed", RequestRejected::code);
    }

    @Test
    void platformWideRequestFansOutToEveryWorkflowUsingTheBundles() throws Exception {
        List<RotationRequested> requests = parse("""
                {"workflow":"*","bundles":["ghcr"],"requestor":"infra@example.com"}""").plan(INFRA, workflows(), "batch-1");

        assertThat(requests).extracting(RotationRequested::workflow).containsExactly("financial-ml", "web");
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.bundles()).containsExactly("ghcr");
            assertThat(r.batchId()).isEqualTo("batch-1");
        });
    }

    @Test
    void platformWideRequestNeedsBundlesThatSomeWorkflowUses() {
        assertThat(rejected("{\"workflow\":\"*\",\"requestor\":\"infra@example.com\"}", INFRA))
                .returns("bundles", RequestRejected::field);
        assertThat(rejected("{\"workflow\":\"*\",\"bundles\":[\"s3\"],\"requestor\":\"infra@example.com\"}", INFRA))
                .returns("bundles", RequestRejected::field);
    }
}
