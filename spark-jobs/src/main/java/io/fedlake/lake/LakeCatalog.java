package io.fedlake.lake;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes every Delta table under the lake root queryable by its two-part name ({@code raw.credit},
 * {@code scores.credit}, {@code registry.models}, …) in the session catalog, so SQL — including Delta time travel
 * with {@code VERSION AS OF} — can name tables instead of paths. Registration is session-local: nothing is written
 * to a metastore.
 */
public final class LakeCatalog {

    private LakeCatalog() {
    }

    /** @return the registered table names, sorted */
    public static List<String> registerAll(Lake lake) {
        List<String> names = new ArrayList<>();
        try {
            FileSystem fs = lake.fileSystem();
            Path root = new Path(lake.root());
            if (!fs.exists(root)) {
                return names;
            }
            for (FileStatus schema : fs.listStatus(root)) {
                String s = schema.getPath().getName();
                if (!schema.isDirectory() || s.startsWith("_") || s.startsWith(".") || !s.matches("[a-z][a-z0-9_]*")) {
                    continue;
                }
                for (FileStatus table : fs.listStatus(schema.getPath())) {
                    String t = table.getPath().getName();
                    if (table.isDirectory() && t.matches("[a-z][a-z0-9_]*") && fs.exists(new Path(table.getPath(), "_delta_log"))) {
                        lake.spark().sql("CREATE DATABASE IF NOT EXISTS `" + s + "` LOCATION '" + schema.getPath() + "'");
                        lake.spark().sql("CREATE TABLE IF NOT EXISTS `" + s + "`.`" + t + "` USING DELTA LOCATION '" + table.getPath() + "'");
                        names.add(s + "." + t);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the lake at " + lake.root(), e);
        }
        names.sort(String::compareTo);
        return names;
    }
}
