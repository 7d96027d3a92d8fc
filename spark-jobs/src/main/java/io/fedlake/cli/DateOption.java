package io.fedlake.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Date options ({@code --date}, {@code --from}, {@code --to}): ISO yyyy-MM-dd, with the same error everywhere. */
final class DateOption {

    private DateOption() {
    }

    /** @throws IllegalArgumentException (a usage error) naming the option when the value is not yyyy-MM-dd */
    static LocalDate parse(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(option + " must be yyyy-MM-dd, got '" + value + "'");
        }
    }

    /** {@link #parse}, or today in UTC when the option was not given. */
    static LocalDate parseOrToday(String option, String value) {
        return value == null ? LocalDate.now(ZoneOffset.UTC) : parse(option, value);
    }
}
