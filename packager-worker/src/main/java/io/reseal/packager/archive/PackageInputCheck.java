package io.reseal.packager.archive;

import io.reseal.pipeline.event.RotationSealed;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a sealed event must satisfy before any of it becomes a path, a YAML value or a line of the
 * README: names that are DNS-1123 labels (so no path can leave the archive root), unique folders and
 * files, and manifests that are the SealedSecret they claim to be ({@link SealedManifestCheck}).
 */
final class PackageInputCheck {

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ROTATION_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** What Kubernetes accepts as a key of a Secret's data. */
    /** A Secret's type as Kubernetes names them ({@code Opaque}, {@code kubernetes.io/dockerconfigjson}, {@code example.com/x}). */
    private static final Pattern SECRET_TYPE = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9._/]{0,252}");
    static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

    private PackageInputCheck() {
    }

    static void check(RotationSealed sealed) {
        if (sealed == null) {
            throw new InvalidPackageInputException("data: required");
        }
        dnsLabel("workflow", sealed.workflow());
        if (sealed.rotationId() == null || !ROTATION_ID.matcher(sealed.rotationId()).matches()) {
            throw new InvalidPackageInputException("rotationId: " + quoted(sealed.rotationId())
                    + " must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (sealed.requestedAt() == null) {
            throw new InvalidPackageInputException("requestedAt: required");
        }
        if (sealed.environments().isEmpty()) {
            throw new InvalidPackageInputException("environments: at least one environment is required");
        }
        Set<String> environmentNames = new HashSet<>();
        for (RotationSealed.Environment environment : sealed.environments()) {
            String name = dnsLabel("environments[].name", environment.name());
            if (!environmentNames.add(name)) {
                throw new InvalidPackageInputException("environments: '" + name + "' appears twice");
            }
            dnsLabel("environments[" + name + "].namespace", environment.namespace());
            checkSecrets(environment, sealed.rotationId());
        }
    }

    private static void checkSecrets(RotationSealed.Environment environment, String rotationId) {
        String where = "environments[" + environment.name() + "].secrets";
        if (environment.secrets().isEmpty()) {
            throw new InvalidPackageInputException(where + ": at least one secret is required");
        }
        Set<String> secretNames = new HashSet<>();
        for (RotationSealed.Secret secret : environment.secrets()) {
            String name = dnsLabel(where + "[].name", secret.name());
            String at = where + "[" + name + "]";
            if (!secretNames.add(name)) {
                throw new InvalidPackageInputException(where + ": '" + name + "' appears twice");
            }
            if (secret.type() == null || secret.type().isBlank()) {
                throw new InvalidPackageInputException(at + ".type: required");
            }
            if (!SECRET_TYPE.matcher(secret.type()).matches()) {
                throw new InvalidPackageInputException(at + ".type: " + quoted(secret.type())
                        + " is not a Secret type (letters, digits, '.', '/', '-', '_')");
            }
            if (secret.keys().isEmpty()) {
                throw new InvalidPackageInputException(at + ".keys: at least one key is required");
            }
            for (String key : secret.keys()) {
                if (key == null || !SECRET_KEY.matcher(key).matches()) {
                    throw new InvalidPackageInputException(at + ".keys: " + quoted(key)
                            + " is not a valid Secret key (letters, digits, '-', '_', '.')");
                }
            }
            SealedManifestCheck.check(at + ".manifest", environment.namespace(), rotationId, secret);
        }
    }

    private static String dnsLabel(String field, String value) {
        if (value == null || !DNS_1123_LABEL.matcher(value).matches()) {
            throw new InvalidPackageInputException(field + ": " + quoted(value)
                    + " is not a DNS-1123 label (1-63 lower-case letters, digits or '-', starting and ending"
                    + " with a letter or digit)");
        }
        return value;
    }

    /** The value in quotes with control characters escaped, so a hostile name cannot forge log lines. */
    static String quoted(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        value.codePoints().limit(100).forEach(c -> {
            if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.append(value.length() > 100 ? "...'" : "'").toString();
    }
}
