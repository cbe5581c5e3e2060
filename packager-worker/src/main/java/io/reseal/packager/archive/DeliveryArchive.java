package io.reseal.packager.archive;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.List;

/**
 * One built package: its tar.gz bytes, their SHA-256, the archive name and the object key it is stored
 * under ({@code <workflow>/<rotation-id>/<workflow>-ml-secrets-<yyyymmdd>.tar.gz}). Immutable.
 */
public final class DeliveryArchive {

    private final String rotationId;
    private final String name;
    private final String objectKey;
    private final byte[] bytes;
    private final String sha256;
    private final List<String> files;

    DeliveryArchive(String rotationId, String name, String objectKey, byte[] bytes, List<String> files) {
        this.rotationId = rotationId;
        this.name = name;
        this.objectKey = objectKey;
        this.bytes = bytes;
        this.sha256 = Sha256Sums.hex(bytes);
        this.files = List.copyOf(files);
    }

    public String rotationId() {
        return rotationId;
    }

    /** {@code <workflow>-ml-secrets-<yyyymmdd>.tar.gz}. */
    public String name() {
        return name;
    }

    /** {@code <workflow>/<rotation-id>/<name>}. */
    public String objectKey() {
        return objectKey;
    }

    public long size() {
        return bytes.length;
    }

    /** Lower-case hex SHA-256 of the archive bytes. */
    public String sha256() {
        return sha256;
    }

    /** The regular files of the archive, sorted, e.g. {@code dev/kustomization.yaml}. */
    public List<String> files() {
        return files;
    }

    /** A copy of the archive bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** A fresh stream over the archive bytes. */
    public InputStream newInputStream() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public String toString() {
        return "DeliveryArchive[" + objectKey + ", " + bytes.length + " bytes, sha256=" + sha256 + "]";
    }
}
