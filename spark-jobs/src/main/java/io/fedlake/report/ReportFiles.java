package io.fedlake.report;

import io.fedlake.lake.Lake;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes a report through the lake's file system (local, HDFS or an object store), replacing an earlier one. */
final class ReportFiles {

    private ReportFiles() {
    }

    static void write(Lake lake, String path, byte[] bytes) {
        try (FSDataOutputStream out = lake.fileSystem().create(new Path(path), true)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + path, e);
        }
    }
}
