package io.fedlake.cli;

import io.fedlake.core.UserError;

/** Turns any failure into the one line a CLI user sees. */
final class ErrorText {

    private ErrorText() {
    }

    /** The first {@link UserError} in the cause chain, if any. */
    static UserError userCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserError u) {
                return u;
            }
            if (t instanceof io.fedlake.gpu.GpuConfigurationException g) {
                return new UserError(g.getMessage(), g);
            }
        }
        return null;
    }

    static String oneLine(Throwable e) {
        UserError u = userCause(e);
        if (u != null) {
            return firstLine(u.getMessage());
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? "" : ": " + firstLine(root.getMessage());
        return root.getClass().getSimpleName() + msg;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s.strip() : s.substring(0, nl).strip();
    }
}
