package io.reseal.sealer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reseal.sealer.crypto.PrivateKeyPem;
import io.reseal.sealer.crypto.SealingCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The sealed-secrets golden vectors, read from the test classpath (src/test/resources/vectors/sealed-secrets; provenance in its README). */
public final class GoldenVectors {

    /** Inside the golden certificate's validity window. */
    public static final Instant VALID_AT = Instant.parse("2030-01-01T00:00:00Z");

    private GoldenVectors() {
    }

    public static InputStream stream(String file) {
        InputStream in = GoldenVectors.class.getResourceAsStream("/vectors/sealed-secrets/" + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource vectors/sealed-secrets/" + file);
        }
        return in;
    }

    public static String text(String file) {
        try (InputStream in = stream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode json(String file) {
        try {
            return new ObjectMapper().readTree(text(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<JsonNode> positive() {
        return list(json("vectors.json").get("positive"));
    }

    public static List<JsonNode> negative() {
        return list(json("vectors.json").get("negative"));
    }

    public static SealingCertificate certificate() {
        return SealingCertificate.parse(text("tls.crt"));
    }

    public static RSAPrivateKey privateKey() {
        return PrivateKeyPem.parse(text("tls.key")).get(0);
    }

    public static byte[] base64(JsonNode node, String field) {
        return Base64.getDecoder().decode(node.get(field).asText());
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> list = new ArrayList<>();
        array.forEach(list::add);
        return list;
    }
}
