package io.reseal.sealer.issuer;

import io.reseal.sealer.secret.SecretValue;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A credential an issuer made: its fields (for a database login {@code username} and {@code password}) and
 * its version, a non-secret identifier that may travel on events. Lives only in the sealer's memory; whoever
 * holds it calls {@link #destroy()} when the rotation is sealed or abandoned. {@code toString()} shows the
 * version and field names, never a value.
 */
public final class Credential {

    private final String version;
    private final Map<String, SecretValue> fields;

    public Credential(String version, Map<String, SecretValue> fields) {
        this.version = version;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The non-secret identifier of this credential (for example {@code mlflow_app_b@<rotation id>}). */
    public String version() {
        return version;
    }

    /** The named field, or {@code null} when this credential has none of that name. */
    public SecretValue field(String name) {
        return fields.get(name);
    }

    public Set<String> fieldNames() {
        return fields.keySet();
    }

    /** Wipes every field. Idempotent. */
    public void destroy() {
        fields.values().forEach(SecretValue::destroy);
    }

    @Override
    public String toString() {
        return "Credential[" + version + ", fields " + fields.keySet() + "]";
    }
}
