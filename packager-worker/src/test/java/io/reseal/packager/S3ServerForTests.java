package io.reseal.packager;

import java.net.ServerSocket;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/**
 * A real S3 server (s3proxy, in memory, SigV2/V4 auth) on a fixed local port, which can be stopped and
 * started again with its content. Stand-in for {@code io.reseal.embedded.EmbeddedS3}.
 */
final class S3ServerForTests implements AutoCloseable {

    static final String ACCESS_KEY = "reseal-test";
    static final String SECRET_KEY = "reseal-test-secret-0123456789";

    private final BlobStore blobStore = new TransientNio2BlobStore();
    private final int port;
    private S3Proxy proxy;

    private S3ServerForTests(int port) {
        this.port = port;
    }

    static S3ServerForTests start() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        S3ServerForTests server = new S3ServerForTests(port);
        server.restart();
        return server;
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    void stop() throws Exception {
        proxy.stop();
    }

    void restart() throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping s3proxy", e);
        }
    }
}
