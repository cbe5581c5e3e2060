package io.reseal.sealer.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.sealer.GoldenVectors;
import io.reseal.sealer.crypto.UnsealException;
import io.reseal.sealer.manifest.OutputFormat;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OfflineUnsealerTest {

    private static RSAPrivateKey otherKey;

    @BeforeAll
    static void otherKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        otherKey = (RSAPrivateKey) generator.generateKeyPair().getPrivate();
    }

    @Test
    void unsealsTheGoldenManifestWithTheKeyThatFits() {
        // when
        String yaml = new OfflineUnsealer().unseal(GoldenVectors.stream("ghcr.sealedsecret.json"),
                List.of(otherKey, GoldenVectors.privateKey()), OutputFormat.YAML);

        // then
        String dockerConfig = GoldenVectors.json("manifests.expected.json").get("ghcr.sealedsecret.yaml")
                .get("data_b64").get(".dockerconfigjson").asText();
        assertThat(yaml).isEqualTo("""
                apiVersion: v1
                data:
                  .dockerconfigjson: %s
                kind: Secret
                metadata:
                  annotations:
                    sealedsecrets.bitnami.com/namespace-wide: "true"
                  creationTimestamp: null
                  name: ghcr
                  namespace: mlops
                type: kubernetes.io/dockerconfigjson

                """.formatted(dockerConfig));
    }

    @Test
    void namesEveryKeyThatDoesNotOpen() {
        assertThatThrownBy(() -> new OfflineUnsealer().unseal(GoldenVectors.stream("ml-platform.sealedsecret.yaml"),
                List.of(otherKey), OutputFormat.JSON))
                .isInstanceOf(UnsealException.class)
                .hasMessageStartingWith("cannot unseal 7 of 7 keys of mlops/ml-platform (strict): AWS_ACCESS_KEY_ID: RSA-OAEP");
    }
}
