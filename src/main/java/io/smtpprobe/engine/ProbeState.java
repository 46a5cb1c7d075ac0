package io.smtpprobe.engine;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where a target's probe stands, and the one table of which state follows which. Every change of a
 * {@link TargetProbe}'s state goes through {@link #on}; a change the table does not list is a bug in the
 * engine and throws. {@code ProbeStateTest} pins every entry, and {@code TargetProbeTest} what each
 * transition does besides.
 *
 * <pre>
 *             QUEUE              START
 *   IDLE ─────────────▶ QUEUED ─────────▶ RUNNING ──── OVERRUN ───▶ ABANDONED
 *    ▲  ◀── WITHDRAW ──────┘                │  │                        │
 *    │  ◀────────────── START ──────────────┘  │                        │
 *    │  ◀──────────── FINISH, CANCEL ──────────┘                        │
 *    └──────────────────────────── LATE_RETURN ─────────────────────────┘
 * </pre>
 * (START also leads from IDLE straight to RUNNING when the engine has room.)
 */
enum ProbeState {
    /** Not probed now: waiting for its next slot in the schedule. */
    IDLE,
    /** Due, but {@link ProbeScheduler#MAX_IN_FLIGHT} probes are in flight: waits for one to end. */
    QUEUED,
    /** A probe is under way: waiting for a thread, on one, or waiting for a TCP handshake. */
    RUNNING,
    /** Its probe overran its deadline and was recorded as deadline_exceeded; whatever it returns is dropped. */
    ABANDONED;

    /** What happens to a target's probe. */
    enum Event {
        /** Came due while the engine had no room for one more probe in flight. */
        QUEUE,
        /** Taken out of the queue: the target was removed or the engine stopped. */
        WITHDRAW,
        /** A probe starts: the target came due with room, or room was made for it. */
        START,
        /** The probe returned its results. */
        FINISH,
        /** Stopped (removal, shutdown) before any of it had a thread: nothing of it ran. */
        CANCEL,
        /** It did not return within its deadline and the grace after it. */
        OVERRUN,
        /** The abandoned probe finally returned. */
        LATE_RETURN
    }

    private static final Map<ProbeState, Map<Event, ProbeState>> TRANSITIONS = new EnumMap<>(ProbeState.class);

    static {
        allow(IDLE, Event.QUEUE, QUEUED);
        allow(IDLE, Event.START, RUNNING);
        allow(QUEUED, Event.START, RUNNING);
        allow(QUEUED, Event.WITHDRAW, IDLE);
        allow(RUNNING, Event.FINISH, IDLE);
        allow(RUNNING, Event.CANCEL, IDLE);
        allow(RUNNING, Event.OVERRUN, ABANDONED);
        allow(ABANDONED, Event.LATE_RETURN, IDLE);
    }

    private static void allow(ProbeState from, Event event, ProbeState to) {
        TRANSITIONS.computeIfAbsent(from, s -> new EnumMap<>(Event.class)).put(event, to);
    }

    /** The state {@code event} leads to from this one; throws when the table has no such transition. */
    ProbeState on(Event event) {
        ProbeState next = TRANSITIONS.getOrDefault(this, Map.of()).get(event);
        if (next == null) {
            throw new IllegalStateException("probe engine bug: no transition from " + this + " on " + event);
        }
        return next;
    }
}
