package io.reseal.packager.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeSet;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes and reads the package's tar.gz form. Writing is reproducible: entries in sorted order (each
 * directory before its files), owner and group 0/root, modes 0644/0755, one fixed mtime, and a gzip
 * header without a timestamp or file name; the same files and time give the same bytes on the same
 * Java runtime (the deflate output depends on the zlib it uses). Reading is bounded and never touches
 * the file system.
 */
final class DeterministicTarGz {

    /** The most a package may hold, uncompressed; a larger archive is rejected rather than read. */
    static final long MAX_CONTENT_BYTES = 64L * 1024 * 1024;
    static final int MAX_ENTRIES = 10_000;

    private DeterministicTarGz() {
    }

    /** Archives {@code files} (relative path with '/' separators -> content) with every mtime at {@code mtime}. */
    static byte[] write(SortedMap<String, byte[]> files, Instant mtime) {
        FileTime time = FileTime.from(mtime.truncatedTo(ChronoUnit.SECONDS));
        TreeSet<String> entries = new TreeSet<>(files.keySet());
        for (String path : files.keySet()) {
            for (int slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
                entries.add(path.substring(0, slash + 1));
            }
        }
        GzipParameters gzip = new GzipParameters();
        gzip.setCompressionLevel(Deflater.BEST_COMPRESSION);
        gzip.setModificationTime(0);
        gzip.setOS(GzipParameters.OS.UNKNOWN);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes, gzip))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (String name : entries) {
                boolean directory = name.endsWith("/");
                TarArchiveEntry entry = new TarArchiveEntry(name);
                entry.setIds(0, 0);
                entry.setNames("root", "root");
                entry.setModTime(time);
                entry.setMode(directory ? 040755 : 0100644);
                byte[] content = directory ? new byte[0] : files.get(name);
                entry.setSize(content.length);
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("writing a tar.gz to memory", e);
        }
        return bytes.toByteArray();
    }

    /**
     * Reads every regular file of a tar.gz into memory, in archive order. Directories are skipped; any
     * other kind of entry (link, device, ...), a name with control characters (it would end up in
     * terminal output), a repeated path, more than {@value #MAX_ENTRIES} entries
     * or more than {@link #MAX_CONTENT_BYTES} of content is an {@link IOException} naming it.
     */
    static Map<String, byte[]> read(InputStream archive) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        int count = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(archive))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (++count > MAX_ENTRIES) {
                    throw new IOException("more than " + MAX_ENTRIES + " entries");
                }
                if (entry.getName().chars().anyMatch(Character::isISOControl)) {
                    throw new IOException("an entry name holds control characters");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                if (!entry.isFile()) {
                    throw new IOException(entry.getName() + ": not a regular file");
                }
                total += entry.getSize();
                if (total > MAX_CONTENT_BYTES) {
                    throw new IOException("more than " + MAX_CONTENT_BYTES + " bytes of content");
                }
                if (files.put(entry.getName(), tar.readAllBytes()) != null) {
                    throw new IOException(entry.getName() + ": appears twice");
                }
            }
        }
        return files;
    }
}
