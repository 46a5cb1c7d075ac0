package io.smtpprobe.engine;

import static io.smtpprobe.engine.ProbeState.ABANDONED;
import static io.smtpprobe.engine.ProbeState.IDLE;
import static io.smtpprobe.engine.ProbeState.QUEUED;
import static io.smtpprobe.engine.ProbeState.RUNNING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprobe.engine.ProbeState.Event;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine's transition table, entry by entry: every state and event, allowed or refused. */
class ProbeStateTest {
    /** The table as the engine's documentation draws it (ProbeState's diagram). */
    static final Map<ProbeState, Map<Event, ProbeState>> EXPECTED = new EnumMap<>(Map.of(
            IDLE, Map.of(Event.QUEUE, QUEUED, Event.START, RUNNING),
            QUEUED, Map.of(Event.START, RUNNING, Event.WITHDRAW, IDLE),
            RUNNING, Map.of(Event.FINISH, IDLE, Event.CANCEL, IDLE, Event.OVERRUN, ABANDONED),
            ABANDONED, Map.of(Event.LATE_RETURN, IDLE)));

    static Stream<Arguments> everyStateAndEvent() {
        List<Arguments> all = new ArrayList<>();
        for (ProbeState from : ProbeState.values()) {
            for (Event event : Event.values()) {
                all.add(Arguments.of(from, event, EXPECTED.getOrDefault(from, Map.of()).get(event)));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @MethodSource("everyStateAndEvent")
    void leadsFromEachStateOnEachEventWhereTheTableSays(ProbeState from, Event event, ProbeState expected) {
        if (expected != null) {
            assertThat(from.on(event)).isEqualTo(expected);
        } else {
            assertThatThrownBy(() -> from.on(event)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("probe engine bug: no transition from " + from + " on " + event);
        }
    }
}
