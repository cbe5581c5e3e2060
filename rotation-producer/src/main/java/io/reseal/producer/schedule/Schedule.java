package io.reseal.producer.schedule;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.reseal.pipeline.config.WorkflowConfig.ScheduleConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The instants a workflow's schedule fires at. A cron expression (Unix, 5 fields) is read in the schedule's
 * time zone (UTC if none), so {@code 0 6 * * 1} in {@code Europe/Berlin} follows daylight saving time. A
 * period {@code every} fires at whole multiples of it since the Unix epoch, so every replica computes the
 * same instants whenever it started. Immutable, thread-safe.
 */
public final class Schedule {

    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final ExecutionTime cron;
    private final ZoneId zone;
    private final Duration every;

    private Schedule(ExecutionTime cron, ZoneId zone, Duration every) {
        this.cron = cron;
        this.zone = zone;
        this.every = every;
    }

    /** Reads {@code config}; throws {@link IllegalArgumentException} naming {@code where} if the cron is invalid. */
    public static Schedule of(ScheduleConfig config, String where) {
        ZoneId zone = config.timeZone() == null ? ZoneOffset.UTC : ZoneId.of(config.timeZone());
        if (config.every() != null) {
            return new Schedule(null, zone, config.every());
        }
        try {
            return new Schedule(ExecutionTime.forCron(PARSER.parse(config.cron()).validate()), zone, null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ".schedule.cron: invalid Unix cron expression '"
                    + config.cron() + "': " + e.getMessage());
        }
    }

    /** The latest instant the schedule fires at that is not after {@code now}, if there is one. */
    Optional<Instant> latestAtOrBefore(Instant now) {
        if (every != null) {
            long periods = Math.floorDiv(now.getEpochSecond(), every.getSeconds());
            return Optional.of(Instant.ofEpochSecond(periods * every.getSeconds()));
        }
        ZonedDateTime probe = now.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1).atZone(zone);
        Optional<ZonedDateTime> last = cron.lastExecution(probe);
        while (last.isPresent() && last.get().toInstant().isAfter(now)) {
            last = cron.lastExecution(last.get());
        }
        return last.map(ZonedDateTime::toInstant);
    }

    /**
     * The period of the schedule at {@code now}: from the latest instant it fired at, at or before {@code now}, to
     * the next one (for a cron such as {@code 0 3 1 * *}, the length of the current month); empty if either is
     * unknown.
     */
    public Optional<Duration> periodAt(Instant now) {
        return latestAtOrBefore(now).flatMap(latest -> nextAfter(latest).map(next -> Duration.between(latest, next)));
    }

    /** The first instant the schedule fires at after {@code now}, if there is one. */
    Optional<Instant> nextAfter(Instant now) {
        if (every != null) {
            return latestAtOrBefore(now).map(latest -> latest.plus(every));
        }
        return cron.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
    }
}
