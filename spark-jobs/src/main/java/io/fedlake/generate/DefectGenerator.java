package io.fedlake.generate;

import io.fedlake.preset.Domain;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Synthetic surface inspections: a 64×64 grayscale PNG of brushed metal (horizontal streaks, uneven light) that
 * may carry one defect — a thin bright scratch, a dark round spot, or a dark jagged crack with a branch — plus
 * the line's sensor readings at inspection time. Defect type depends on the sensors (vibration → scratches,
 * humidity → spots, heat and pressure → cracks) and plants ({@code plant_id}, the federated client key) differ
 * in sensor baselines and defect rates.
 */
final class DefectGenerator implements Serializable {

    static final int SIZE = 64;
    static final String[] TYPES = {"none", "scratch", "spot", "crack"};
    private static final long ROW_STREAM = 31;
    private static final Instant START = LocalDate.of(2025, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);

    // temperature °C, vibration rms mm/s, line speed m/min, humidity %, defect offset — one row per plant
    private static final double[][] PLANTS = {
            {62, 2.0, 120, 45, 0.0},
            {70, 2.8, 140, 55, 0.4},
            {58, 1.6, 100, 40, -0.3},
            {66, 2.4, 130, 62, 0.2},
    };

    static final StructType SCHEMA = Domain.DEFECT.rawSchema();

    private final long seed;

    DefectGenerator(long seed) {
        this.seed = seed;
    }

    Row row(long id) {
        return inspection(id, false).row();
    }

    /** The pixels of inspection {@code id}'s planted defect (none for a sound part), row-major {@value #SIZE}×{@value #SIZE}. */
    boolean[] defectMask(long id) {
        return inspection(id, true).canvas().mask();
    }

    private record Inspection(Row row, GrayCanvas canvas) {
    }

    private Inspection inspection(long id, boolean masked) {
        RowRandom r = new RowRandom(seed, ROW_STREAM, id);
        int p = r.choice(new double[]{0.35, 0.25, 0.25, 0.15});
        double[] pp = PLANTS[p];
        double zTemp = r.gaussian();
        double zVib = r.gaussian();
        double zHum = r.gaussian();
        double zPress = r.gaussian();
        double temperature = round2(pp[0] + 4 * zTemp);
        double vibration = round2(pp[1] * Math.exp(0.3 * zVib));
        double pressure = round2(6.0 + 0.45 * zPress);
        double speed = round2(pp[2] + r.gaussian(0, 8));
        double humidity = round2(RowRandom.clamp(pp[3] + 7 * zHum, 5, 99));

        double[] odds = {
                1.0,
                Math.exp(-2.7 + pp[4] + 1.5 * zVib),
                Math.exp(-2.9 + pp[4] + 1.4 * zHum),
                Math.exp(-3.3 + pp[4] + 1.3 * zTemp + 0.7 * zPress),
        };
        int type = r.choice(odds);

        GrayCanvas c = new GrayCanvas(SIZE, SIZE, 0.55f, masked);
        double streak = 0;
        for (int y = 0; y < SIZE; y++) {
            streak = 0.8 * streak + r.gaussian(0, 0.02);
            double light = 0.08 * (y - 32) / 32.0;
            for (int x = 0; x < SIZE; x++) {
                c.pixels[y * SIZE + x] += (float) (streak + light * Math.cos(x / 20.0));
            }
        }
        switch (type) {
            case 1 -> {
                double angle = r.uniform(-0.7, 0.7) + (r.bernoulli(0.5) ? Math.PI / 2 : 0);
                double len = r.uniform(10, 26);
                double cx = r.uniform(16, 48);
                double cy = r.uniform(16, 48);
                c.plantedLine(cx - len * Math.cos(angle), cy - len * Math.sin(angle), cx + len * Math.cos(angle), cy + len * Math.sin(angle),
                        0.5, r.uniform(0.06, 0.22));
            }
            case 2 -> c.plantedBlob(r.uniform(10, 54), r.uniform(10, 54), r.uniform(1.5, 4.5), 0.08, 5, r.uniform(0, 6.28), -r.uniform(0.07, 0.28));
            case 3 -> crack(c, r, r.uniform(14, 50), r.uniform(14, 50), r.uniform(0, 2 * Math.PI), 18 + r.nextInt(14), true);
            default -> {
            }
        }
        // Benign dust and glare specks on good and bad parts alike: a detector must not flag every outlier pixel.
        int specks = r.poisson(2.0);
        for (int k = 0; k < specks; k++) {
            c.gaussian(r.uniform(0, SIZE), r.uniform(0, SIZE), r.uniform(0.5, 0.9), r.gaussian(0, 0.18));
        }
        c.noise(r, 0.035);
        c.response(1.0, 0.0);

        Instant ts = START.plusSeconds((long) (r.uniform() * 365L * 24 * 3600));
        return new Inspection(RowFactory.create(String.format("INS-%010d", id), String.format("P%d", p + 1), String.format("P%d-L%d", p + 1, 1 + r.nextInt(3)),
                Timestamp.from(ts), Date.valueOf(ts.atZone(ZoneOffset.UTC).toLocalDate()), temperature, vibration, pressure, speed, humidity,
                c.toPng(), SIZE, SIZE, TYPES[type], type == 0 ? 0 : 1), c);
    }

    /** A dark random walk whose heading drifts; optionally forks once half way. */
    private static void crack(GrayCanvas c, RowRandom r, double x, double y, double heading, int steps, boolean mayFork) {
        double amp = -r.uniform(0.08, 0.26);
        for (int s = 0; s < steps; s++) {
            double nx = x + 1.5 * Math.cos(heading);
            double ny = y + 1.5 * Math.sin(heading);
            c.plantedLine(x, y, nx, ny, 0.4, amp);
            x = nx;
            y = ny;
            heading += r.gaussian(0, 0.35);
            if (mayFork && s == steps / 2 && r.bernoulli(0.6)) {
                crack(c, r, x, y, heading + (r.bernoulli(0.5) ? 0.9 : -0.9), steps / 2, false);
            }
        }
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
