package io.reseal.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailArrivalsTest {

    @TempDir
    Path mail;

    @Test
    void each_rotation_arrives_when_the_first_copy_for_the_recipient_was_saved() throws Exception {
        // given
        save("000001-team@example.com.eml", "rot-1", Instant.parse("2026-01-01T00:00:02Z"));
        save("000002-other@example.com.eml", "rot-2", Instant.parse("2026-01-01T00:00:01Z"));
        save("000003-team@example.com.eml", "rot-1", Instant.parse("2026-01-01T00:00:05Z"));
        MailArrivals arrivals = new MailArrivals(mail, "team@example.com");
        // when / then
        assertThat(arrivals.poll()).containsOnlyKeys("rot-1").containsEntry("rot-1", Instant.parse("2026-01-01T00:00:02Z"));
        save("000004-team@example.com.eml", "rot-3", Instant.parse("2026-01-01T00:00:07Z"));
        assertThat(arrivals.poll()).containsOnlyKeys("rot-1", "rot-3");
    }

    @Test
    void a_copy_read_while_it_is_still_being_written_is_read_again() throws Exception {
        // given a copy whose headers are not written yet
        Path file = mail.resolve("000001-team@example.com.eml");
        Files.writeString(file, "Message-ID: <rot-1@reseal>\r\n");
        MailArrivals arrivals = new MailArrivals(mail, "team@example.com");
        assertThat(arrivals.poll()).isEmpty();

        // when it is complete, then the next poll has it
        save("000001-team@example.com.eml", "rot-1", Instant.parse("2026-01-01T00:00:02Z"));
        assertThat(arrivals.poll()).containsEntry("rot-1", Instant.parse("2026-01-01T00:00:02Z"));
    }

    @Test
    void percentiles_are_nearest_rank() {
        List<Long> sorted = List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
        assertThat(BenchE2eCommand.percentile(sorted, 50)).isEqualTo(50L);
        assertThat(BenchE2eCommand.percentile(sorted, 95)).isEqualTo(100L);
        assertThat(BenchE2eCommand.percentile(List.of(7L), 99)).isEqualTo(7L);
    }

    private void save(String name, String rotation, Instant at) throws Exception {
        Path file = mail.resolve(name);
        Files.writeString(file, "Message-ID: <" + rotation + "@reseal>\r\nX-Reseal-Rotation-Id: " + rotation
                + "\r\nSubject: x\r\n\r\nbody mentioning X-Reseal-Rotation-Id: not-this-one\r\n");
        Files.setLastModifiedTime(file, FileTime.from(at));
    }
}
