package io.reseal.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * When each rotation's e-mail reached the embedded SMTP server: the server saves every copy it receives as
 * {@code <n>-<recipient>.eml} before it acknowledges the message, so the file's modification time is the
 * arrival time (to the file system's timestamp resolution). Reads only the headers of files it has not seen; a file
 * still being written, whose rotation header is not there yet, is read again at the next poll (taking it as seen
 * without one would lose that rotation's arrival for good). Not thread-safe.
 */
final class MailArrivals {

    private static final String ROTATION_HEADER = "X-Reseal-Rotation-Id:";

    private final Path mailDir;
    private final String recipientSuffix;
    private final Set<Path> seen = new HashSet<>();
    private final Map<String, Instant> arrivals = new HashMap<>();

    /** Copies for {@code recipient} in {@code mailDir}. */
    MailArrivals(Path mailDir, String recipient) {
        this.mailDir = mailDir;
        this.recipientSuffix = "-" + recipient + ".eml";
    }

    /** Rotation id to arrival time of its first copy, for everything saved so far. */
    Map<String, Instant> poll() {
        if (!Files.isDirectory(mailDir)) return Map.copyOf(arrivals);
        try (Stream<Path> files = Files.list(mailDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(recipientSuffix)).toList()) {
                if (seen.contains(file)) continue;
                String rotation = rotationOf(file);
                if (rotation == null) continue;
                seen.add(file);
                Instant arrived = Files.getLastModifiedTime(file).toInstant();
                arrivals.merge(rotation, arrived, (a, b) -> a.isBefore(b) ? a : b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mailDir, e);
        }
        return Map.copyOf(arrivals);
    }

    private static String rotationOf(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
                if (line.regionMatches(true, 0, ROTATION_HEADER, 0, ROTATION_HEADER.length())) {
                    return line.substring(ROTATION_HEADER.length()).strip();
                }
            }
        }
        return null;
    }
}
