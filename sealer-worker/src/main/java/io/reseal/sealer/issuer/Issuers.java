package io.reseal.sealer.issuer;

import io.reseal.pipeline.config.KafkaConfig;
import io.reseal.sealer.values.ValueResolver;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the configured issuers, by name. */
public final class Issuers {

    private Issuers() {}

    /**
     * @param values resolves the issuers' admin credentials (at each use, so a changed source is picked up)
     * @param kafka the sealer's own Kafka connection, which {@code kafka-scram} issuers default to
     */
    public static Map<String, Issuer> of(List<IssuerConfig> configs, ValueResolver values, KafkaConfig kafka) {
        Map<String, Issuer> issuers = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (IssuerConfig config : configs) {
            if (config instanceof PostgresIssuerConfig postgres) {
                issuers.put(config.name(), new PostgresIssuer(postgres, values, random));
            } else if (config instanceof KafkaScramIssuerConfig scram) {
                issuers.put(config.name(), new KafkaScramIssuer(scram, kafka, values, random));
            } else if (config instanceof CommandIssuerConfig command) {
                issuers.put(config.name(), new CommandIssuer(command, values));
            } else if (config instanceof MinioIssuerConfig minio) {
                issuers.put(config.name(), new MinioIssuer(minio, values, random, Clock.systemUTC()));
            }
        }
        return issuers;
    }
}
