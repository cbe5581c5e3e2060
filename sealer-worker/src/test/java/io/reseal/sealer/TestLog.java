package io.reseal.sealer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test run's log file ({@code reseal.test.log}, where the tests' logback writes) from a mark on: what one test
 * made the code log, to search for a plaintext that must not be there.
 */
public final class TestLog {

    private final Path file;
    private final long start;

    private TestLog(Path file, long start) {
        this.file = file;
        this.start = start;
    }

    /** Marks the log's present end. */
    public static TestLog mark() throws IOException {
        Path file = Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log"));
        return new TestLog(file, Files.exists(file) ? Files.size(file) : 0);
    }

    /** What was logged since the mark. */
    public String sinceMark() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return new String(bytes, (int) start, bytes.length - (int) start, StandardCharsets.UTF_8);
    }
}
