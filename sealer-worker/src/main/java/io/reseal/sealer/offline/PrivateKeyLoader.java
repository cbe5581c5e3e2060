package io.reseal.sealer.offline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.reseal.sealer.crypto.InvalidPrivateKeyException;
import io.reseal.sealer.crypto.PrivateKeyPem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code --key tls.key[,older.key]}: reads the controller's private keys from files, as kubeseal's
 * {@code --recovery-private-key} does. A file is either PEM (PKCS#1 or PKCS#8, one or more keys) or
 * a key backup made with {@code kubectl get secret -n kube-system -l
 * sealedsecrets.bitnami.com/sealed-secrets-key -o yaml}: a Secret or a List of Secrets whose
 * {@code data."tls.key"} holds the PEM. Stateless and thread-safe; messages never show key material.
 */
public final class PrivateKeyLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private PrivateKeyLoader() {
    }

    /** Every key in {@code files}, in order. */
    public static List<RSAPrivateKey> load(List<Path> files) {
        List<RSAPrivateKey> keys = new ArrayList<>();
        for (Path file : files) {
            try {
                keys.addAll(load(file));
            } catch (InvalidPrivateKeyException e) {
                throw new InvalidPrivateKeyException(file + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    private static List<RSAPrivateKey> load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidPrivateKeyException("no such key file", e);
        } catch (IOException e) {
            throw new InvalidPrivateKeyException("cannot read key file: " + e.getMessage(), e);
        }
        return text.contains("-----BEGIN") ? PrivateKeyPem.parse(text) : fromKeySecrets(text);
    }

    private static List<RSAPrivateKey> fromKeySecrets(String text) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new InvalidPrivateKeyException("neither PEM nor a YAML/JSON key Secret");
        }
        List<JsonNode> secrets = new ArrayList<>();
        if (root != null && root.path("kind").asText().equals("List")) {
            root.path("items").forEach(secrets::add);
        } else if (root != null) {
            secrets.add(root);
        }
        List<RSAPrivateKey> keys = new ArrayList<>();
        for (JsonNode secret : secrets) {
            JsonNode pem = secret.path("data").path("tls.key");
            if (secret.path("kind").asText().equals("Secret") && pem.isTextual()) {
                try {
                    keys.addAll(PrivateKeyPem.parse(new String(Base64.getMimeDecoder().decode(pem.textValue()),
                            StandardCharsets.US_ASCII)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidPrivateKeyException("data.\"tls.key\" of Secret "
                            + secret.path("metadata").path("name").asText() + " is not valid base64");
                }
            }
        }
        if (keys.isEmpty()) {
            throw new InvalidPrivateKeyException("neither PEM nor a key Secret (or List of them) with data.\"tls.key\"");
        }
        return keys;
    }
}
