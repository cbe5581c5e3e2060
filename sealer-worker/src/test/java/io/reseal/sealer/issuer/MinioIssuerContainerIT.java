package io.reseal.sealer.issuer;

import io.minio.admin.UserInfo;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The MinIO issuer against the real MinIO, in a container: the same tests as against the stand-in
 * ({@link MinioIssuerIT}). Skipped, and says so, where there is no Docker.
 */
class MinioIssuerContainerIT extends MinioIssuerContract {

    /** The last MinIO release published as an image; minio-admin 8.6 speaks its admin API v3. */
    static final String IMAGE = "minio/minio:RELEASE.2025-09-07T16-13-09Z";

    private static GenericContainer<?> minio;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(), "no Docker here: the stand-in test runs instead");
        minio = new GenericContainer<>(IMAGE).withCommand("server", "/data").withExposedPorts(9000)
                .withEnv("MINIO_ROOT_USER", ROOT_ACCESS_KEY).withEnv("MINIO_ROOT_PASSWORD", ROOT_SECRET_KEY)
                .waitingFor(Wait.forHttp("/minio/health/ready").forPort(9000).withStartupTimeout(Duration.ofMinutes(2)));
        minio.start();
    }

    @AfterAll
    static void stop() {
        if (minio != null) minio.stop();
    }

    @Override
    URI endpoint() {
        return URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(9000));
    }

    @Override
    void createUser(String user) throws Exception {
        admin().addUser(user, UserInfo.Status.ENABLED, "user-secret-" + user, null, null);
        admin().setPolicy(user, false, "readwrite");
    }
}
