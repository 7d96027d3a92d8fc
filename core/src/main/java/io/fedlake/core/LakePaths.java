package io.fedlake.core;

import java.net.URI;
import java.nio.file.Paths;
import java.util.regex.Pattern;

/**
 * Where things live in a lake: every table under one root URI (any Hadoop file system: file:, hdfs:, s3a:) as
 * {@code <root>/<schema>/<table>}, addressed by a two-part lower-case name such as {@code raw.credit}.
 */
public final class LakePaths {

    private static final Pattern TABLE_NAME = Pattern.compile("[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*");

    private LakePaths() {
    }

    /** A URI with a scheme is kept as given; a plain path becomes an absolute {@code file:/…} URI. No trailing slash. */
    public static String normaliseRoot(String rootUri) {
        if (rootUri == null || rootUri.isBlank()) {
            throw new IllegalArgumentException("lake root must not be blank");
        }
        String r = rootUri.trim();
        URI uri = URI.create(r.replace(" ", "%20"));
        if (uri.getScheme() == null || uri.getScheme().length() == 1) {
            // Hadoop's own spelling (file:/abs/path): Delta compares locations as strings
            r = "file:" + Paths.get(r).toAbsolutePath().normalize().toUri().getRawPath();
        }
        while (r.endsWith("/") && !r.endsWith(":/") && !r.endsWith("://")) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** Whether {@code name} is a two-part lower-case table name such as {@code raw.credit}. */
    public static boolean isTableName(String name) {
        return name != null && TABLE_NAME.matcher(name).matches();
    }

    /**
     * Location of a table under a normalised root, e.g. {@code raw.credit} → {@code <root>/raw/credit}.
     *
     * @throws UserError when the name is not {@code schema.table} in lower case
     */
    public static String tablePath(String root, String table) {
        if (!isTableName(table)) {
            throw new UserError("bad table name '" + table + "': expected schema.table in lower case, e.g. raw.credit");
        }
        return root + "/" + table.replace('.', '/');
    }
}
