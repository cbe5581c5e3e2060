package io.reseal.producer.api;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.reseal.pipeline.config.WorkflowConfig;
import io.reseal.pipeline.event.EventJson;
import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.RequestRules.FieldError;
import io.reseal.pipeline.event.RotationRequested;
import io.reseal.pipeline.event.Trigger;
import io.reseal.producer.ProducerConfig;
import io.reseal.producer.ProducerConfig.ApiToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The JSON body of {@code POST /api/v1/rotations}, read strictly (unknown fields, wrong types and trailing
 * data are rejected, naming the field) and turned into the rotation requests it stands for: one for a
 * workflow, or one per configured workflow using the given bundles when {@code workflow} is {@code *}.
 * Validation is {@link RequestRules} (shared with every entry point) plus what only the API knows: the
 * configured workflows, environments and bundles, and what the caller's token allows.
 */
record RotationRequestBody(String workflow, List<String> environments, String requestor, List<String> bundles,
                           String reason) {

    private static final ObjectReader READER = EventJson.mapper().readerFor(RotationRequestBody.class)
            .with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    static RotationRequestBody parse(byte[] json) throws RequestRejected {
        try {
            RotationRequestBody body = READER.readValue(json);
            if (body == null) {
                throw RequestRejected.badField("invalid-json", null, "the body must be a JSON object");
            }
            return body;
        } catch (UnrecognizedPropertyException e) {
            throw RequestRejected.badField("unknown-field", e.getPropertyName(), "unknown field '"
                    + RequestRules.printable(e.getPropertyName()) + "': expected workflow, environments, requestor, "
                    + "bundles, reason");
        } catch (MismatchedInputException e) {
            if (e.getPath().isEmpty()) {
                throw RequestRejected.badField("invalid-json", null, "the body must be a JSON object");
            }
            String field = e.getPath().get(0).getFieldName();
            throw RequestRejected.badField("invalid-type", field, "wrong type for '" + field + "'");
        } catch (JacksonException e) {
            throw RequestRejected.badField("invalid-json", null, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw RequestRejected.badField("invalid-json", null, "the body is not valid JSON");
        }
    }

    /**
     * The hex SHA-256 of this request's canonical content, which an {@code Idempotency-Key} is bound to: the
     * fields in a fixed order, environments and bundles sorted, a missing list the same as an empty one (white
     * space and the order the client wrote things in do not count).
     */
    String sha256() {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("workflow", workflow);
        canonical.put("environments", sorted(environments));
        canonical.put("requestor", requestor);
        canonical.put("bundles", sorted(bundles));
        canonical.put("reason", reason);
        try {
            return ApiToken.sha256Hex(EventJson.mapper().writeValueAsString(canonical));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request's canonical form", e);
        }
    }

    private static List<String> sorted(List<String> names) {
        return names == null ? List.of()
                : names.stream().sorted(Comparator.nullsFirst(Comparator.naturalOrder())).toList();
    }

    /**
     * The requests this body stands for, checked against the configuration and the token.
     *
     * @param batchId the id shared by the rotations of a platform-wide request
     */
    List<RotationRequested> plan(ApiToken token, Map<String, WorkflowConfig> workflows, String batchId)
            throws RequestRejected {
        if (ProducerConfig.ALL_WORKFLOWS.equals(workflow)) {
            return planPlatformWide(token, workflows, batchId);
        }
        reject(RequestRules.workflow(workflow));
        if (!token.allows(workflow)) {
            throw RequestRejected.workflowNotAllowed("token '" + token.name() + "' may not rotate workflow '"
                    + workflow + "'", "workflow");
        }
        WorkflowConfig config = workflows.get(workflow);
        if (config == null) {
            throw RequestRejected.badField("unknown-workflow", "workflow", "unknown workflow '" + workflow
                    + "': expected one of " + String.join(", ", new TreeMap<>(workflows).keySet()));
        }
        if (environments == null) {
            throw RequestRejected.badField("missing-field", "environments",
                    "environments is required: a list of environments, [] for all");
        }
        reject(RequestRules.environments(workflow, environments));
        for (String env : environments) {
            if (config.environment(env).isEmpty()) {
                throw RequestRejected.badField("unknown-environment", "environments", "workflow '" + workflow
                        + "' has no environment '" + env + "': expected one of "
                        + String.join(", ", config.environments().keySet()));
            }
        }
        RotationRequested request = request(workflow, environments, bundles, token);
        allowedRequestor(config);
        Set<String> used = bundlesOf(config);
        for (String bundle : request.bundles()) {
            if (!used.contains(bundle)) {
                throw RequestRejected.badField("unknown-bundle", "bundles", "workflow '" + workflow
                        + "' does not use bundle '" + bundle + "': expected some of " + String.join(", ", used));
            }
        }
        return List.of(request);
    }

    private List<RotationRequested> planPlatformWide(ApiToken token, Map<String, WorkflowConfig> workflows,
                                                     String batchId) throws RequestRejected {
        if (!token.workflows().contains(ProducerConfig.ALL_WORKFLOWS)) {
            throw RequestRejected.workflowNotAllowed("token '" + token.name()
                    + "' may not request platform-wide rotations", "workflow");
        }
        if (bundles == null || bundles.isEmpty()) {
            throw RequestRejected.badField("missing-field", "bundles",
                    "a platform-wide rotation (workflow '*') must name the bundles to rotate");
        }
        List<String> envs = environments == null ? List.of() : environments;
        reject(RequestRules.environments(null, envs));
        reject(RequestRules.requestor(requestor));
        List<RotationRequested> requests = new ArrayList<>();
        for (WorkflowConfig config : new TreeMap<>(workflows).values()) {
            Set<String> used = bundlesOf(config);
            List<String> wanted = bundles.stream().filter(used::contains).toList();
            List<String> wantedEnvs = envs.stream().filter(e -> config.environment(e).isPresent()).toList();
            if (wanted.isEmpty() || (!envs.isEmpty() && wantedEnvs.isEmpty())) {
                continue;
            }
            allowedRequestor(config);
            RotationRequested request = new RotationRequested(config.name(), wantedEnvs, wanted, requestor,
                    reasonOrDefault(token), Trigger.AD_HOC, batchId);
            reject(RequestRules.check(request));
            requests.add(request);
        }
        if (requests.isEmpty()) {
            throw RequestRejected.badField("unknown-bundle", "bundles", "no configured workflow uses "
                    + String.join(", ", bundles) + (envs.isEmpty() ? "" : " in " + String.join(", ", envs)));
        }
        return requests;
    }

    private RotationRequested request(String workflowName, List<String> envs, List<String> bundleNames,
                                      ApiToken token) throws RequestRejected {
        reject(RequestRules.requestor(requestor));
        RotationRequested request = new RotationRequested(workflowName, envs, bundleNames, requestor,
                reasonOrDefault(token), Trigger.AD_HOC, null);
        reject(RequestRules.check(request));
        return request;
    }

    /** A workflow's package goes only to the requestors it allows ({@code workflows[].requestors}). */
    private void allowedRequestor(WorkflowConfig config) throws RequestRejected {
        if (!config.allowsRequestor(requestor)) {
            throw new RequestRejected(403, "requestor-not-allowed", "workflow '" + config.name()
                    + "' does not allow this requestor (workflows[].requestors)", "requestor");
        }
    }

    /** The caller's reason, or one that says which token asked (its name, never the token). */
    private String reasonOrDefault(ApiToken token) {
        return reason != null ? reason : "requested through the API with token '" + token.name() + "'";
    }

    private static Set<String> bundlesOf(WorkflowConfig config) {
        Set<String> used = new HashSet<>(config.bundles());
        config.environments().values().forEach(env -> used.addAll(env.bundles()));
        return used.stream().sorted().collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }

    private static void reject(Optional<FieldError> error) throws RequestRejected {
        if (error.isPresent()) {
            throw RequestRejected.badField("invalid-field", error.get().field(), error.get().message());
        }
    }
}
