package io.reseal.pipeline.event;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TraceParentTest {

    @Test
    void parsesWellFormedValuesAndRejectsTheRest() {
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .hasValue(new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01"));
        assertThat(TraceParent.parse(null)).isEmpty();
        assertThat(TraceParent.parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01")).isEmpty();
        assertThat(TraceParent.parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).isEmpty();
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).isEmpty();
        assertThat(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).isEmpty();
    }

    @Test
    void theNextHopKeepsTheTraceAndFlagsWithANewParent() {
        TraceParent first = TraceParent.start();
        TraceParent next = first.next();
        assertThat(next.traceId()).isEqualTo(first.traceId());
        assertThat(next.flags()).isEqualTo("01");
        assertThat(next.parentId()).isNotEqualTo(first.parentId());
        assertThat(TraceParent.parse(next.header())).hasValue(next);
        assertThat(TraceParent.start().traceId()).isNotEqualTo(first.traceId());
    }
}
