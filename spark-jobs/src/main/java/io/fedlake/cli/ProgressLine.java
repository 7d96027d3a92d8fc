package io.fedlake.cli;

import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.executor.TaskMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live progress line for a command's Spark work, fed by a {@link SparkListener}: tasks finished of those
 * submitted so far, rows read (or written, for work that reads none), rows per second, and an estimate of the time
 * left from the task rate, e.g. {@code score  [=====>              ] 412/800 tasks  1.2M rows  96k rows/s  eta 0:41}.
 * <ul>
 *   <li>On a terminal it is redrawn in place on stderr ({@code \r}) a few times a second, and wiped before any of
 *   Fedlake's own lines is printed ({@link #beforeOutput}) and when the command ends.</li>
 *   <li>Elsewhere (an Airflow task log, a pipe) it is a plain log line at most every {@value #PLAIN_SECONDS} s, only
 *   when something moved: a log line, so tools that keep Fedlake's summary lines (the DAGs' XComs) skip it.</li>
 * </ul>
 * {@code --quiet} turns it off. The estimate only knows the stages Spark has submitted so far: a job that submits
 * more later finishes later than the first estimate says.
 */
final class ProgressLine implements AutoCloseable {

    static final int PLAIN_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ProgressLine.class);
    private static final int BAR = 20;
    /** The line on the terminal now, if any: wiped before Fedlake prints a line of its own. */
    private static volatile ProgressLine shown;

    /** Where lines go: a terminal (redrawn in place) or a log (one line each). */
    interface Sink {
        void show(String line);

        /** Removes a line drawn in place (nothing for a log). */
        void clear();

        /** Whether a line is redrawn in place (a terminal): then every tick draws, else only a changed line is written. */
        default boolean inPlace() {
            return false;
        }
    }

    private final String label;
    private final Sink sink;
    private final SparkContext sc;
    private final Listener listener = new Listener();
    private final ScheduledExecutorService ticker;
    private final long started = System.nanoTime();
    private String last;

    private ProgressLine(String label, Sink sink, SparkContext sc, long periodMillis, long firstAfterMillis) {
        this.label = label;
        this.sink = sink;
        this.sc = sc;
        sc.addSparkListener(listener);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fedlake-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, firstAfterMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    /** A terminal line on stderr when there is a terminal, else plain log lines. */
    static ProgressLine start(String label, SparkContext sc) {
        boolean terminal = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return terminal ? start(label, sc, terminal(System.err), 250, 1000) : start(label, sc, log(), PLAIN_SECONDS * 1000L, PLAIN_SECONDS * 1000L);
    }

    static ProgressLine start(String label, SparkContext sc, Sink sink, long periodMillis, long firstAfterMillis) {
        return new ProgressLine(label, sink, sc, periodMillis, firstAfterMillis);
    }

    static Sink terminal(PrintStream err) {
        return new Sink() {
            @Override
            public void show(String line) {
                synchronized (err) {
                    err.print("\r" + line + "\u001b[K");
                    err.flush();
                }
            }

            @Override
            public void clear() {
                synchronized (err) {
                    err.print("\r\u001b[K");
                    err.flush();
                }
            }

            @Override
            public boolean inPlace() {
                return true;
            }
        };
    }

    static Sink log() {
        return new Sink() {
            @Override
            public void show(String line) {
                LOG.info(line);
            }

            @Override
            public void clear() {
            }
        };
    }

    /** Wipes the terminal line (if one is drawn) so a line of Fedlake's own starts at the left margin. */
    static void beforeOutput() {
        ProgressLine p = shown;
        if (p != null) {
            p.sink.clear();
        }
    }

    private synchronized void tick() {
        try {
            long total = listener.tasks.get();
            if (total == 0) {
                return;
            }
            String line = render(label, listener.done.get(), total, listener.rows(), System.nanoTime() - started);
            if (!sink.inPlace() && line.equals(last)) {
                return;                                       // a log gets a line only when something moved
            }
            last = line;
            sink.show(line);
            shown = this;
        } catch (RuntimeException e) {
            LOG.debug("progress line: {}", e.toString());     // a progress line never fails the command
        }
    }

    @Override
    public synchronized void close() {
        ticker.shutdownNow();
        sc.removeSparkListener(listener);
        if (shown == this) {
            sink.clear();
            shown = null;
        }
    }

    /** E.g. {@code score  [=====>              ] 412/800 tasks  1.2M rows  96k rows/s  eta 0:41}. */
    static String render(String label, long done, long total, long rows, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        int filled = total == 0 ? 0 : (int) Math.min(BAR, done * BAR / total);
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < BAR; i++) {
            bar.append(i < filled ? '=' : i == filled && done < total ? '>' : ' ');
        }
        bar.append(']');
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s  %s %d/%d tasks  %s rows", label, bar, done, total, count(rows)));
        if (seconds >= 1) {
            s.append("  ").append(count((long) (rows / seconds))).append(" rows/s");
        }
        if (done > 0 && done < total) {
            long left = (long) (seconds * (total - done) / done);
            s.append(String.format(Locale.ROOT, "  eta %d:%02d", left / 60, left % 60));
        }
        return s.toString();
    }

    /** 950, 12.3k, 1.2M, 3.4G. */
    static String count(long n) {
        if (n < 1000) {
            return Long.toString(n);
        }
        String[] units = {"k", "M", "G", "T"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f%s" : "%.1f%s", v, units[u]);
    }

    /** Counts from Spark's events: tasks of submitted stages, finished tasks, their input and output records. */
    private static final class Listener extends SparkListener {
        final AtomicLong tasks = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicLong written = new AtomicLong();

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
            tasks.addAndGet(submitted.stageInfo().numTasks());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskInfo().successful()) {
                done.incrementAndGet();
            }
            TaskMetrics m = end.taskMetrics();
            if (m != null) {
                read.addAndGet(m.inputMetrics().recordsRead());
                written.addAndGet(m.outputMetrics().recordsWritten());
            }
        }

        long rows() {
            long r = read.get();
            return r > 0 ? r : written.get();
        }
    }
}
