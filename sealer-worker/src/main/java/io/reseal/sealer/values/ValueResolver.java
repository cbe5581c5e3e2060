package io.reseal.sealer.values;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.BundleConfig;
import io.reseal.sealer.issuer.Credential;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.kube.KubernetesErrors;
import io.reseal.sealer.secret.SecretValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves the values of a bundle's keys, once per rotation (so every namespace of a rotation gets the
 * same generated values). A missing source fails with a message naming the bundle, the key and the
 * source, never the value. Thread-safe.
 */
public final class ValueResolver {

    private final Function<String, String> environment;
    private final ClusterAccess clusters;
    private final String defaultCluster;
    private final SecureRandom random;

    /**
     * @param environment looks up environment variables ({@code System::getenv} in production)
     * @param defaultCluster the cluster a Secret source reads from when it names none
     */
    public ValueResolver(Function<String, String> environment, ClusterAccess clusters, String defaultCluster,
                         SecureRandom random) {
        this.environment = environment;
        this.clusters = clusters;
        this.defaultCluster = defaultCluster;
        this.random = random;
    }

    /**
     * Key to value, in the bundle's key order. The caller owns the values and should wipe them when done.
     * When one key fails, the values already read are wiped before the exception leaves.
     */
    public Map<String, SecretValue> resolve(BundleConfig bundle) throws RetriableStageException, PermanentStageException {
        return resolve(bundle, Map.of());
    }

    /**
     * The same, with the credentials the bundle's {@code issued} keys take their fields from (issuer name to
     * the credential it made for this rotation). The credentials stay the caller's.
     */
    public Map<String, SecretValue> resolve(BundleConfig bundle, Map<String, Credential> issued)
            throws RetriableStageException, PermanentStageException {
        Map<String, SecretValue> values = new LinkedHashMap<>();
        try {
            for (var entry : bundle.keys().entrySet()) {
                byte[] plaintext = read(bundle.name(), entry.getKey(), entry.getValue(), issued);
                try {
                    values.put(entry.getKey(), SecretValue.of(plaintext));
                } finally {
                    Arrays.fill(plaintext, (byte) 0);
                }
            }
            return values;
        } catch (RetriableStageException | PermanentStageException | RuntimeException e) {
            values.values().forEach(SecretValue::destroy);
            throw e;
        }
    }

    /**
     * The value of one source that is not {@code issued} (an issuer's admin login); {@code what} names it in
     * errors. The caller owns the value.
     */
    public SecretValue resolve(String what, ValueSource source) throws RetriableStageException, PermanentStageException {
        byte[] plaintext = read(what + ": " + source.describe(), source, Map.of());
        try {
            return SecretValue.of(plaintext);
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    private byte[] read(String bundle, String key, ValueSource source, Map<String, Credential> issued) throws RetriableStageException, PermanentStageException {
        return read("bundle " + bundle + ", key " + key + ": " + source.describe(), source, issued);
    }

    private byte[] read(String what, ValueSource source, Map<String, Credential> issued)
            throws RetriableStageException, PermanentStageException {
        if (source instanceof ValueSource.Literal literal) return literal.literal().getBytes(StandardCharsets.UTF_8);
        if (source instanceof ValueSource.Env env) {
            String value = environment.apply(env.env());
            if (value == null) throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + " is not set");
            return value.getBytes(StandardCharsets.UTF_8);
        }
        if (source instanceof ValueSource.File file) return readFile(what, Path.of(file.file()));
        if (source instanceof ValueSource.FromSecret secret) return readSecret(what, secret.secret());
        if (source instanceof ValueSource.Generated generated) return generated.generate().generate(random);
        ValueSource.IssuedRef ref = ((ValueSource.Issued) source).issued();
        Credential credential = issued.get(ref.issuer());
        SecretValue value = credential == null ? null : credential.field(ref.field());
        if (value == null) {
            throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + ": the issuer made no such credential");
        }
        return value.bytes();
    }

    private static byte[] readFile(String what, Path path) throws PermanentStageException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + " does not exist");
        } catch (IOException e) {
            throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private byte[] readSecret(String what, ValueSource.SecretKeyRef ref) throws RetriableStageException, PermanentStageException {
        String cluster = ref.cluster() != null ? ref.cluster() : defaultCluster;
        Secret secret;
        try {
            secret = clusters.client(cluster).secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
        } catch (KubernetesClientException e) {
            KubernetesErrors.rethrow(what, e);
            return null;
        }
        if (secret == null) throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + ": the Secret does not exist");
        if (secret.getData() != null && secret.getData().containsKey(ref.key())) {
            try {
                return Base64.getDecoder().decode(secret.getData().get(ref.key()));
            } catch (IllegalArgumentException e) {
                throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + ": the Secret's data is not valid base64");
            }
        }
        if (secret.getStringData() != null && secret.getStringData().containsKey(ref.key())) {
            return secret.getStringData().get(ref.key()).getBytes(StandardCharsets.UTF_8);
        }
        throw new PermanentStageException(ErrorCode.MISSING_VALUE, what + ": the Secret has no such key");
    }
}
