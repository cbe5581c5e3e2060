package io.reseal.sealer.issuer;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reseal.pipeline.event.RequestRules;

/**
 * One entry of {@code issuers:}: a system that makes credentials at their source for each rotation, told apart
 * by the one key naming its kind ({@code postgres: {...}}, {@code kafka-scram: {...}}, {@code minio: {...}},
 * {@code command: {...}}). Immutable, validated.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
@JsonSubTypes({@JsonSubTypes.Type(PostgresIssuerConfig.class), @JsonSubTypes.Type(KafkaScramIssuerConfig.class),
        @JsonSubTypes.Type(MinioIssuerConfig.class), @JsonSubTypes.Type(CommandIssuerConfig.class)})
public sealed interface IssuerConfig
        permits PostgresIssuerConfig, KafkaScramIssuerConfig, MinioIssuerConfig, CommandIssuerConfig {

    /** The name bundle keys refer to ({@code issued: {issuer: <name>}}). */
    String name();

    /** When the sealer finishes this issuer's rotations by itself; {@code null} for only when asked. */
    RevokePrevious revokePrevious();

    /** The fields of the credential it makes. */
    java.util.Set<String> fields();

    static String checkedName(String name) {
        if (name == null || !RequestRules.DNS_LABEL.matcher(name).matches() || name.length() > 63) {
            throw new IllegalArgumentException("issuers: name '" + RequestRules.printable(name) + "' is not a DNS-1123 label");
        }
        return name;
    }
}
