package io.reseal.producer.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.config.WorkflowConfig.ScheduleConfig;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private final Schedule berlinSixAm = Schedule.of(new ScheduleConfig("0 6 * * *", "Europe/Berlin", null), "workflows.w");

    @Test
    void cronFiresAtTheLocalTimeOfItsZone() {
        // given 06:00 in Berlin in winter is 05:00 UTC
        Instant slot = Instant.parse("2026-01-15T05:00:00Z");

        // then
        assertThat(berlinSixAm.latestAtOrBefore(slot)).contains(slot);
        assertThat(berlinSixAm.latestAtOrBefore(slot.minusSeconds(1))).contains(Instant.parse("2026-01-14T05:00:00Z"));
        assertThat(berlinSixAm.latestAtOrBefore(slot.plusMillis(500))).contains(slot);
        assertThat(berlinSixAm.nextAfter(slot.minusMillis(1))).contains(slot);
        assertThat(berlinSixAm.nextAfter(slot)).contains(Instant.parse("2026-01-16T05:00:00Z"));
    }

    @Test
    void thePeriodAtAnInstantRunsFromTheLastFireToTheNext() {
        Schedule monthly = Schedule.of(new ScheduleConfig("0 3 1 * *", null, null), "workflows.w");

        assertThat(monthly.periodAt(Instant.parse("2026-03-15T12:00:00Z"))).contains(Duration.ofDays(31));
        assertThat(monthly.periodAt(Instant.parse("2026-02-15T12:00:00Z"))).contains(Duration.ofDays(28));
        assertThat(berlinSixAm.periodAt(Instant.parse("2026-03-29T02:00:00Z"))).as("the night clocks go forward")
                .contains(Duration.ofHours(23));
    }

    @Test
    void cronFollowsDaylightSavingTime() {
        // in summer 06:00 in Berlin is 04:00 UTC
        assertThat(berlinSixAm.latestAtOrBefore(Instant.parse("2026-07-01T04:30:00Z")))
                .contains(Instant.parse("2026-07-01T04:00:00Z"));
    }

    @Test
    void periodFiresAtMultiplesOfItSinceTheEpochWhateverTheStart() {
        Schedule daily = Schedule.of(new ScheduleConfig(null, null, Duration.ofDays(1)), "workflows.w");

        assertThat(daily.latestAtOrBefore(Instant.parse("2026-03-03T17:42:00Z")))
                .contains(Instant.parse("2026-03-03T00:00:00Z"));
        assertThat(daily.nextAfter(Instant.parse("2026-03-03T17:42:00Z")))
                .contains(Instant.parse("2026-03-04T00:00:00Z"));
    }

    @Test
    void invalidCronNamesTheKey() {
        assertThatThrownBy(() -> Schedule.of(new ScheduleConfig("61 * * * *", null, null), "workflows.financial-ml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workflows.financial-ml.schedule.cron");
    }
}
