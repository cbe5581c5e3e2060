package io.reseal.producer;

import io.reseal.pipeline.config.InvalidConfigException;
import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.pipeline.config.WorkflowConfig;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * The rotation-producer service from its typed configuration: adds the token of {@value #TOKEN_VARIABLE}
 * (hashed at once, see {@link ProducerConfig#withPlaintextToken}), refuses an API nobody may call, and starts
 * the {@link RotationProducer}. Stateless.
 */
public final class ProducerMain {

    /** The variable holding one more API token in plaintext (named {@code env}). */
    public static final String TOKEN_VARIABLE = "RESEAL_API_TOKEN";

    private ProducerMain() {}

    /**
     * @throws InvalidConfigException if the API has no token, neither in {@code api.tokens} nor in {@value #TOKEN_VARIABLE}
     */
    public static RotationProducer start(ProducerConfig api, KafkaConfig kafka, List<WorkflowConfig> workflows,
                                         Function<String, String> environment, Clock clock) {
        String token = environment.apply(TOKEN_VARIABLE);
        ProducerConfig withToken = token == null || token.isBlank() ? api : api.withPlaintextToken("env", token);
        if (withToken.tokens().isEmpty()) {
            throw new InvalidConfigException("api.tokens: at least one token hash is required (or " + TOKEN_VARIABLE + ")");
        }
        return RotationProducer.start(withToken, kafka, workflows, clock);
    }
}
