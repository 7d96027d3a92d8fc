package io.fedlake.cli;

import io.fedlake.core.UserError;

import io.fedlake.lake.Lake;
import io.fedlake.lake.LakeCatalog;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run Spark SQL over every lake table, registered by name (raw.credit, scores.credit, registry.models, …).",
                "Delta time travel works: SELECT count(*) FROM scores.credit VERSION AS OF 0"})
final class SqlCommand extends SparkCommand {

    @Parameters(paramLabel = "QUERY", arity = "0..1", description = "The SQL statement; omit with --tables")
    String query;

    @Option(names = "--limit", defaultValue = "50", description = "Rows to print. Default: ${DEFAULT-VALUE}")
    int limit;

    @Option(names = "--tables", description = "List the registered tables and exit")
    boolean tables;

    @Override
    protected void validate() {
        if (!tables && (query == null || query.isBlank())) {
            throw new IllegalArgumentException("a query is needed, e.g. fedlake sql \"SELECT * FROM scores.credit\"");
        }
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be ≥ 1, got " + limit);
        }
    }

    @Override
    protected int run(Lake lake) {
        List<String> names = LakeCatalog.registerAll(lake);
        if (tables) {
            names.forEach(out::println);
            return 0;
        }
        Dataset<Row> result;
        try {
            result = lake.spark().sql(query);
        } catch (Exception e) { // Scala throws the checked AnalysisException undeclared
            if (e instanceof org.apache.spark.sql.AnalysisException a) {
                throw new UserError("SQL error: " + a.getSimpleMessage() + (names.isEmpty() ? " (the lake has no tables yet)" : ""));
            }
            if (e instanceof org.apache.spark.sql.catalyst.parser.ParseException pe) {
                throw new UserError("SQL syntax error: " + pe.getMessage().lines().findFirst().orElse(""));
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        List<Row> rows = result.limit(limit + 1).collectAsList();
        String[] cols = result.columns();
        out.println(String.join("\t", cols));
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            Row r = rows.get(i);
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols.length; c++) {
                if (c > 0) {
                    line.append('\t');
                }
                line.append(r.isNullAt(c) ? "NULL" : String.valueOf(r.get(c)));
            }
            out.println(line.toString());
        }
        if (rows.size() > limit) {
            out.println("… (more rows; raise --limit)");
        }
        return 0;
    }
}
