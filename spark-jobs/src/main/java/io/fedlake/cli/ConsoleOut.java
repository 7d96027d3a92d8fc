package io.fedlake.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Fedlake's own console output. Every line is formatted completely first and then written with one call and
 * flushed, so a log line written to the same file at the same moment (stderr merged into stdout, an Airflow task
 * log) can land between two of Fedlake's lines but never inside one. {@link PrintStream#printf} writes a line in
 * pieces, one per format specifier.
 */
final class ConsoleOut {

    private final PrintStream stream;

    ConsoleOut(PrintStream stream) {
        this.stream = stream;
    }

    /** Standard output as it is now (tests redirect it before running a command). */
    static ConsoleOut stdout() {
        return new ConsoleOut(System.out);
    }

    ConsoleOut printf(String format, Object... args) {
        return write(String.format(format, args));
    }

    ConsoleOut printf(Locale locale, String format, Object... args) {
        return write(String.format(locale, format, args));
    }

    ConsoleOut println(String line) {
        return write(line + System.lineSeparator());
    }

    private ConsoleOut write(String text) {
        ProgressLine.beforeOutput();                    // a progress line drawn in place is wiped first
        synchronized (stream) {
            stream.print(text);
            stream.flush();
        }
        return this;
    }
}
