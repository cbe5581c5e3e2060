package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;

import io.reseal.embedded.MinioAdminStandIn;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MinIO issuer against {@link MinioAdminStandIn}, a stand-in for MinIO (its admin API with minio-admin's payload
 * encryption, S3 by s3proxy with real signature checks): always runs. {@link MinioIssuerContainerIT} runs the same
 * tests against the real MinIO where Docker exists.
 */
class MinioIssuerIT extends MinioIssuerContract {

    private static MinioAdminStandIn minio;

    @BeforeAll
    static void start() {
        minio = MinioAdminStandIn.start(ROOT_ACCESS_KEY, ROOT_SECRET_KEY);
    }

    @AfterAll
    static void stop() {
        if (minio != null) minio.close();
    }

    @Override
    URI endpoint() {
        return minio.endpoint();
    }

    @Override
    void createUser(String user) {
        minio.addUser(user);
    }

    @Test
    void theStandInHoldsTheKeyAsTheIssuerMadeIt() throws Exception {
        Issuer.Pending pending = issuer().create("rotation-1", null);

        assertThat(minio.serviceAccount(accessKey(pending))).hasValueSatisfying(account -> {
            assertThat(account.parentUser()).isEqualTo(user);
            assertThat(account.secretKey()).isEqualTo(secretKey(pending)).hasSize(40);
            assertThat(account.policy()).as("no policy configured: the user's own").isNull();
            assertThat(account.toString()).doesNotContain(secretKey(pending));
        });
    }
}
