package io.smtpprobe.report;

/** Exit codes of every command (smtp-probe(1), EXIT STATUS), after sysexits.h where one fits. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Every verdict as expected. */
    public static final int OK = 0;
    /** A verdict someone must act on. */
    public static final int PROBLEM = 1;
    /** Only inconclusive verdicts beside as_expected. */
    public static final int INCONCLUSIVE = 2;
    /** EX_USAGE: the command line was wrong. */
    public static final int USAGE = 64;
    /** EX_SOFTWARE: a bug or a local fault. */
    public static final int INTERNAL = 70;
    /** EX_IOERR: the output could not be written (a full disk, a closed pipe). */
    public static final int IO_ERROR = 74;
    /** EX_CONFIG: the configuration was wrong. */
    public static final int CONFIG = 78;
}
