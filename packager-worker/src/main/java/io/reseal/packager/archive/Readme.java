package io.reseal.packager.archive;

import io.reseal.pipeline.event.RotationSealed;
import java.time.format.DateTimeFormatter;
import java.util.stream.Collectors;

/** {@code README.md}: what the receiving team needs to check, apply and use the package. Names only, never values. */
final class Readme {

    static final String FILE = "README.md";

    private Readme() {
    }

    static String render(RotationSealed sealed, String archiveName, String signerFingerprint) {
        StringBuilder md = new StringBuilder();
        md.append("# Sealed secrets for `").append(sealed.workflow()).append("`\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| Workflow | `").append(sealed.workflow()).append("` |\n");
        md.append("| Rotation id | `").append(sealed.rotationId()).append("` |\n");
        md.append("| Trigger | ").append(sealed.trigger() == null ? "-" : sealed.trigger().wireName()).append(" |\n");
        md.append("| Reason | ").append(plainText(sealed.reason())).append(" |\n");
        md.append("| Requested by | ").append(oneLine(sealed.requestor())).append(" |\n");
        md.append("| Requested at | ").append(DateTimeFormatter.ISO_INSTANT.format(sealed.requestedAt())).append(" |\n");
        md.append("| Signing key (SHA-256 of the public key) | `").append(signerFingerprint).append("` |\n\n");
        md.append("Every file here holds ciphertext or names only: a SealedSecret can be decrypted only by the\n"
                + "sealed-secrets controller of the cluster it was sealed for, so the folders are safe to commit to Git.\n\n");

        md.append("## Environments\n\n");
        for (RotationSealed.Environment environment : sealed.environments()) {
            md.append("### ").append(environment.name()).append("\n\n");
            md.append("- Namespace: `").append(environment.namespace()).append("`\n");
            md.append("- Cluster: `").append(oneLine(environment.cluster())).append("`\n");
            md.append("- Sealing certificate (SHA-256): `").append(oneLine(environment.certificateFingerprint()))
                    .append("`\n\n");
            md.append("Apply with a kubectl context for that cluster:\n\n");
            md.append("    kubectl apply -k ").append(environment.name()).append("/\n\n");
            md.append("| Secret | Type | Keys |\n|---|---|---|\n");
            for (RotationSealed.Secret secret : environment.secrets()) {
                md.append("| `").append(secret.name()).append("` | `").append(secret.type()).append("` | ")
                        .append(secret.keys().stream().map(k -> "`" + k + "`").collect(Collectors.joining(", ")))
                        .append(" |\n");
            }
            md.append('\n');
        }

        md.append("## Verify the package\n\n");
        md.append("`SHA256SUMS` lists the SHA-256 of every other file; `SHA256SUMS.sig` is its Ed25519 signature.\n"
                + "Get the public key `package-signing.pub.pem` from your platform team (not from this archive) and\n"
                + "check that its fingerprint is the one above. Then either\n\n");
        md.append("    ./reseal verify ").append(archiveName).append(" --pubkey package-signing.pub.pem\n\n");
        md.append("or, with standard tools, in the extracted folder:\n\n");
        md.append("    sha256sum -c SHA256SUMS\n");
        md.append("    openssl pkeyutl -verify -pubin -inkey package-signing.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig\n\n");

        md.append("## Next steps\n\n");
        md.append("1. Apply each environment's folder to its cluster (`kubectl apply -k <environment>/`), or commit the\n"
                + "   folders to your GitOps repository.\n");
        md.append("2. Check that the controller unsealed them: `kubectl get sealedsecrets -n <namespace>` shows them as synced.\n");
        md.append("3. Restart the workloads that use the secrets (`kubectl rollout restart deployment/<name> -n <namespace>`),\n"
                + "   or let Reloader do it (annotation `reloader.stakater.com/auto: \"true\"`).\n");
        md.append("4. `secret-reference-template.yaml` shows how a workload consumes these secrets\n"
                + "   (`envFrom`, `secretKeyRef`, `imagePullSecrets`).\n");
        return md.toString();
    }

    /**
     * Free text as literal Markdown on one table line: every ASCII punctuation character backslash-escaped
     * (CommonMark), so a requestor's reason cannot become a link, an image, HTML or a table cell of its own.
     */
    private static String plainText(String text) {
        String line = oneLine(text).replace("\\|", "|");
        if (line.equals("-")) {
            return line;
        }
        StringBuilder out = new StringBuilder();
        line.codePoints().forEach(c -> {
            if (c < 128 && "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.appendCodePoint(c);
        });
        return out.toString();
    }

    /** Free text on one table line: no line breaks or cell separators. */
    private static String oneLine(String text) {
        if (text == null || text.isBlank()) {
            return "-";
        }
        return text.replaceAll("[\\r\\n\\t]+", " ").replace("|", "\\|").strip();
    }
}
