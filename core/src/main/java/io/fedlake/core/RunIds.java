package io.fedlake.core;

import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** Run ids sort by start time (so the newest model version is the greatest) and are unique across concurrent runs. */
public final class RunIds {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final SecureRandom RANDOM = new SecureRandom();

    private RunIds() {
    }

    public static String next() {
        return FORMAT.format(ZonedDateTime.now(ZoneOffset.UTC)) + "-" + String.format("%06x", RANDOM.nextInt(1 << 24));
    }
}
