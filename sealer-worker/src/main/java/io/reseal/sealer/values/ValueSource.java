package io.reseal.sealer.values;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.reseal.pipeline.event.RequestRules;

/**
 * Where the value of one key of a bundle comes from: exactly one of the kinds below, told apart by the one
 * key it is written with ({@code {env: API_TOKEN}}, {@code {issued: {issuer: db, field: password}}}, ...).
 * Holds no credential itself except {@link Literal}, which is meant for non-secret settings such as endpoints.
 * Immutable.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
@JsonSubTypes({
        @JsonSubTypes.Type(ValueSource.Literal.class),
        @JsonSubTypes.Type(ValueSource.Env.class),
        @JsonSubTypes.Type(ValueSource.File.class),
        @JsonSubTypes.Type(ValueSource.FromSecret.class),
        @JsonSubTypes.Type(ValueSource.Generated.class),
        @JsonSubTypes.Type(ValueSource.Issued.class)})
public sealed interface ValueSource {

    /** What this source is, for messages: never the value. */
    String describe();

    /** @param literal the value as written in the configuration (non-secret settings) */
    record Literal(String literal) implements ValueSource {
        public Literal {
            required(literal, "literal");
        }

        @Override
        public String describe() {
            return "a literal";
        }
    }

    /** @param env the name of an environment variable of the sealer */
    record Env(String env) implements ValueSource {
        public Env {
            required(env, "env");
        }

        @Override
        public String describe() {
            return "environment variable " + env;
        }
    }

    /** @param file a file readable by the sealer */
    record File(String file) implements ValueSource {
        public File {
            required(file, "file");
        }

        @Override
        public String describe() {
            return "file " + file;
        }
    }

    /** @param secret a key of a Kubernetes Secret */
    record FromSecret(SecretKeyRef secret) implements ValueSource {
        public FromSecret {
            required(secret, "secret");
        }

        @Override
        public String describe() {
            return "key '" + secret.key() + "' of Secret " + secret.namespace() + "/" + secret.name()
                    + (secret.cluster() != null ? " in cluster " + secret.cluster() : "");
        }
    }

    /** @param generate a generator run fresh for each rotation */
    record Generated(Generator generate) implements ValueSource {
        public Generated {
            required(generate, "generate");
        }

        @Override
        public String describe() {
            return "a " + generate.kind() + " generator";
        }
    }

    /** @param issued a field of the credential an issuer makes for each rotation */
    record Issued(IssuedRef issued) implements ValueSource {
        public Issued {
            required(issued, "issued");
        }

        @Override
        public String describe() {
            return "field '" + issued.field() + "' of issuer " + issued.issuer();
        }
    }

    /**
     * A key of a Kubernetes Secret.
     *
     * @param cluster which configured cluster to read it from; {@code null} for the first
     */
    record SecretKeyRef(String cluster, String namespace, String name, String key) {

        public SecretKeyRef {
            if (namespace == null || name == null || key == null) {
                throw new IllegalArgumentException("secret needs namespace, name and key");
            }
            if (!RequestRules.DNS_LABEL.matcher(namespace).matches()) {
                throw new IllegalArgumentException("secret.namespace '" + RequestRules.printable(namespace)
                        + "' is not a DNS-1123 label");
            }
        }
    }

    /**
     * A field of an issuer's credential.
     *
     * @param issuer the name of an entry of {@code issuers:}
     * @param field one of the fields that issuer makes (a {@code postgres} issuer: {@code username}, {@code password})
     */
    record IssuedRef(String issuer, String field) {

        public IssuedRef {
            if (issuer == null || field == null) {
                throw new IllegalArgumentException("issued needs issuer and field");
            }
        }
    }

    private static void required(Object value, String key) {
        if (value == null) throw new IllegalArgumentException(key + " needs a value");
    }
}
