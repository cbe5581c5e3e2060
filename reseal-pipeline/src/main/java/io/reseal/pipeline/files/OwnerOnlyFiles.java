package io.reseal.pipeline.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files and folders only their owner may read, for key material: a folder is {@code 0700}, a file is written to a
 * {@code 0600} temporary file next to it and moved into place atomically, so no other user ever sees it readable
 * and a crash never leaves a half-written key. Where the file system has no POSIX permissions, only the atomic
 * move is guaranteed. Stateless.
 */
public final class OwnerOnlyFiles {

    private OwnerOnlyFiles() {
    }

    /** Creates {@code dir} (and missing parents) as {@code 0700}, or narrows an existing one to {@code 0700}. */
    public static Path directory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            if (posix(dir)) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return posix(parent) ? Files.createDirectory(dir, attribute("rwx------")) : Files.createDirectory(dir);
    }

    /** Writes {@code text} (US-ASCII) to {@code file} as {@code 0600}, atomically (replacing what was there). */
    public static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = posix(dir) ? Files.createTempFile(dir, ".reseal-", ".tmp", attribute("rw-------"))
                : Files.createTempFile(dir, ".reseal-", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.US_ASCII);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static boolean posix(Path path) {
        return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?> attribute(String permissions) {
        return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions));
    }
}
