package io.smtpprobe.cli;

/** Exit codes of every command (smtp-probe(1), EXIT STATUS), after sysexits.h where one fits. */
final class ExitCodes {
    private ExitCodes() {}

    /** Every verdict as expected. */
    static final int OK = 0;
    /** A verdict someone must act on. */
    static final int PROBLEM = 1;
    /** Only inconclusive verdicts beside as_expected. */
    static final int INCONCLUSIVE = 2;
    /** EX_USAGE: the command line was wrong. */
    static final int USAGE = 64;
    /** EX_SOFTWARE: a bug or a local fault. */
    static final int INTERNAL = 70;
    /** EX_IOERR: the output could not be written (a full disk, a closed pipe). */
    static final int IO_ERROR = 74;
    /** EX_CONFIG: the configuration was wrong. */
    static final int CONFIG = 78;
}
