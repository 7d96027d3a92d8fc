package io.fedlake.core;

/**
 * A failure the user can act on (missing table, bad input, failed check). The CLI prints its message as one line
 * and exits 1; the stack trace is shown only with {@code --verbose}. Messages are built here so they stay
 * consistent across commands.
 */
public final class UserError extends RuntimeException {

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }

    public static UserError tableMissing(String table, String path, String hint) {
        return new UserError("table " + table + " not found at " + path + " (" + hint + ")");
    }

    public static UserError missingColumns(String table, java.util.Collection<String> missing, java.util.Collection<String> present) {
        return new UserError("table " + table + " lacks column(s) " + String.join(", ", missing) + "; it has " + String.join(", ", present));
    }

    public static UserError countsDoNotReconcile(String what, long input, long scored, long quarantined) {
        return new UserError(what + ": counts do not reconcile: input " + input + " ≠ scored " + scored + " + quarantined " + quarantined);
    }
}
