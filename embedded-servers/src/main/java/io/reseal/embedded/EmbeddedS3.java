package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An S3-compatible server (s3proxy) on {@code http://127.0.0.1:<port>} that accepts AWS signature V2 and V4
 * requests, including presigned URLs, signed with one given access key and secret key.
 * <p>
 * With a data directory, buckets and objects are files under it: they survive {@link #stop()}/{@link #start()},
 * {@link #close()} and a JVM restart, and this class never deletes them. Without one, they live in memory: they
 * survive {@link #stop()}/{@link #start()} of this instance and are gone after {@link #close()}.
 * <p>
 * Requests are signed over the host name, so clients must use exactly the host of {@link #endpoint()}
 * ({@code 127.0.0.1}, not {@code localhost}). Not thread-safe for the lifecycle; the server itself serves
 * concurrent requests.
 */
public final class EmbeddedS3 implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

    private final String accessKey;
    private final String secretKey;
    private final int port;
    private final BlobStore blobStore;
    private final String storage;
    private S3Proxy proxy;

    /** An in-memory server on a free port. */
    public EmbeddedS3(String accessKey, String secretKey) {
        this(accessKey, secretKey, null, 0);
    }

    /**
     * @param dataDir where buckets and objects are kept (created when missing), or null to keep them in memory
     * @param port the port, or 0 for a free one, kept across restarts
     */
    public EmbeddedS3(String accessKey, String secretKey, Path dataDir, int port) {
        this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
        this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
        this.port = FreePort.orGiven(port);
        if (dataDir == null) {
            this.blobStore = new TransientNio2BlobStore();
            this.storage = "memory";
        } else {
            Path dir = dataDir.toAbsolutePath();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create S3 data directory " + dir, e);
            }
            this.blobStore = new FilesystemNio2BlobStore(dir.toString());
            this.storage = dir.toString();
        }
    }

    /** {@code http://127.0.0.1:<port>}, known before the first start and stable across restarts. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** Starts serving, or serves again on the same port and data; does nothing when running. */
    public void start() {
        if (proxy != null) {
            return;
        }
        S3Proxy starting = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(endpoint())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
                .stopTimeout(0) // no grace period: clients keep idle connections open, and a stop is an outage
                .build();
        try {
            starting.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the S3 server on " + endpoint(), e);
        }
        proxy = starting;
        LOG.info("S3 server started on {} with data in {}", endpoint(), storage);
    }

    /** Stops serving and keeps the data; does nothing when stopped. */
    public void stop() {
        if (proxy == null) {
            return;
        }
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the S3 server on " + endpoint(), e);
        } finally {
            proxy = null;
        }
        LOG.info("S3 server on {} stopped", endpoint());
    }

    /** Stops serving and releases the store; in-memory data is gone, a data directory is left as it is. */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            blobStore.close();
        }
    }
}
