package io.fedlake.cli;

import io.fedlake.testing.LocalSparkTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProgressLineTest extends LocalSparkTest {

    @Test
    void theLineShowsTasksRowsRateAndTheTimeLeftFromTheTaskRate() {
        // 412 of 800 tasks in 12.85 s: 388 left at 32 tasks/s is 12 s; 1,234,567 rows / 12.85 s = 96,075 rows/s
        assertEquals("score  [==========>         ] 412/800 tasks  1.2M rows  96.1k rows/s  eta 0:12",
                ProgressLine.render("score", 412, 800, 1_234_567, 12_850_000_000L));
        assertEquals("features materialize  [>                   ] 0/4 tasks  0 rows", ProgressLine.render("features materialize", 0, 4, 0, 500_000_000L));
        assertEquals("generate  [====================] 9/9 tasks  50.0k rows  25.0k rows/s", ProgressLine.render("generate", 9, 9, 50_000, 2_000_000_000L));
        assertEquals(List.of("950", "12.3k", "123k", "1.2M", "10.0G"),
                List.of(ProgressLine.count(950), ProgressLine.count(12_345), ProgressLine.count(123_456), ProgressLine.count(1_200_000),
                        ProgressLine.count(10_000_000_000L)));
    }

    @Test
    void aLogGetsALineOnlyWhenSomethingMovedAndTheLastOneCountsEveryTaskAndRow() throws Exception {
        String path = tmp.resolve("rows.parquet").toString();
        spark.range(0, 10_000, 1, 4).write().parquet(path);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ProgressLine.Sink log = new ProgressLine.Sink() {
            @Override
            public void show(String line) {
                lines.add(line);
            }

            @Override
            public void clear() {
            }
        };
        try (ProgressLine p = ProgressLine.start("test", spark.sparkContext(), log, 20, 0)) {
            long n = spark.read().parquet(path).javaRDD().count();
            assertEquals(10_000, n);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            // the ticker (every 20 ms) writes the final state once it sees it: wait for that line, not a fixed time
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline && (lines.isEmpty() || !lines.get(lines.size() - 1).contains(" 10.0k rows"))) {
                Thread.sleep(10);
            }
        }
        List<String> seen = List.copyOf(lines);
        assertTrue(!seen.isEmpty(), "no progress line");
        for (int i = 1; i < seen.size(); i++) {
            assertNotEquals(seen.get(i - 1), seen.get(i), "a repeated line in a log: " + seen);
        }
        Matcher last = Pattern.compile("^test  \\[=+] (\\d+)/(\\d+) tasks  10\\.0k rows(  [\\d.k]+ rows/s)?$").matcher(seen.get(seen.size() - 1));
        assertTrue(last.find(), seen.toString());
        assertEquals(last.group(2), last.group(1), "every submitted task finished: " + seen);
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlaceAndWipedBeforeFedlakesOwnOutputAndAtTheEnd() throws Exception {
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(terminal, true, StandardCharsets.UTF_8);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (ProgressLine p = ProgressLine.start("count", spark.sparkContext(), ProgressLine.terminal(err), 10, 0)) {
            spark.range(0, 1000, 1, 2).count();
            spark.sparkContext().listenerBus().waitUntilEmpty();
            long deadline = System.currentTimeMillis() + 5000;
            while (!terminal.toString(StandardCharsets.UTF_8).contains("\rcount  [") && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            String before = terminal.toString(StandardCharsets.UTF_8);
            new ConsoleOut(new PrintStream(stdout, true, StandardCharsets.UTF_8)).println("counted 1,000 rows");
            String after = terminal.toString(StandardCharsets.UTF_8);
            assertTrue(before.contains("\rcount  ["), before);
            // a redraw writes "\r" + text + ESC[K; only a wipe writes "\r" right before ESC[K
            assertTrue(after.indexOf("\r\u001b[K", before.length()) >= 0, "the line is wiped before Fedlake's own line: " + after);
        }
        String all = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(all.endsWith("\r\u001b[K"), "wiped when the command ends: " + all);
        assertTrue(all.matches("(?s)(\r[^\r\n]*\u001b\\[K)+"), "redrawn in place, never a new line: " + all.replace("\u001b", "ESC"));
        assertEquals("counted 1,000 rows" + System.lineSeparator(), stdout.toString(StandardCharsets.UTF_8));
    }
}
