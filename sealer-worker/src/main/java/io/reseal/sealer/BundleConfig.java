package io.reseal.sealer;

import io.reseal.pipeline.event.RequestRules;
import io.reseal.pipeline.event.SecretScope;
import io.reseal.sealer.values.ValueSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A named set of keys sealed as one Secret (the seed's {@code ml-platform} and {@code ghcr}).
 *
 * @param name DNS-1123 label; also the Secret's name unless {@code secretName} is given
 * @param type the Secret type, default {@code Opaque}
 * @param scope default strict
 * @param keys key name to value source, in the order they should appear
 */
public record BundleConfig(String name, String type, SecretScope scope, String secretName, Map<String, ValueSource> keys) {

    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

    public BundleConfig {
        if (name == null || !RequestRules.DNS_LABEL.matcher(name).matches() || name.length() > 63) {
            throw new IllegalArgumentException("bundles: name '" + RequestRules.printable(name) + "' is not a DNS-1123 label");
        }
        type = type == null ? "Opaque" : type;
        scope = scope == null ? SecretScope.STRICT : scope;
        secretName = secretName == null ? name : secretName;
        if (!RequestRules.DNS_LABEL.matcher(secretName).matches() || secretName.length() > 63) {
            throw new IllegalArgumentException("bundles." + name + ".secretName is not a DNS-1123 label");
        }
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("bundles." + name + ".keys: at least one key is required");
        }
        for (String key : keys.keySet()) {
            if (!SECRET_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("bundles." + name + ".keys: '" + RequestRules.printable(key)
                        + "' is not a valid Secret key (letters, digits, '-', '_', '.')");
            }
        }
        keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    }
}
