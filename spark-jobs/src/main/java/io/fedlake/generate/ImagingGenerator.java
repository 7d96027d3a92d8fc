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
 * Synthetic medical imaging studies: a 64×64 grayscale PNG of soft tissue in which a finding appears as one or
 * two bright, irregular lesions (2–6 px radius), plus clinical features (age, sex, CRP, WBC, haemoglobin,
 * smoking) that shift with the finding. Hospitals ({@code hospital_id}, the federated client key) differ in
 * prevalence, patient age and scanner response (gain, bias, noise), so their data are not identically
 * distributed. Negative studies sometimes contain a thin vessel-like line, a confounder a model must ignore.
 */
final class ImagingGenerator implements Serializable {

    static final int SIZE = 64;
    private static final long ROW_STREAM = 21;
    private static final Instant START = LocalDate.of(2024, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC);

    // prevalence logit, scanner gain, scanner bias, noise sd, mean patient age — one row per hospital
    private static final double[][] HOSPITALS = {
            {-1.6, 1.00, 0.00, 0.030, 61},
            {-1.1, 0.85, 0.08, 0.040, 66},
            {-2.0, 1.15, -0.05, 0.025, 55},
            {-0.8, 0.95, 0.03, 0.050, 70},
            {-1.4, 1.10, -0.02, 0.035, 58},
            {-1.8, 0.90, 0.06, 0.045, 63},
    };

    static final StructType SCHEMA = Domain.IMAGING.rawSchema();

    private final long seed;

    ImagingGenerator(long seed) {
        this.seed = seed;
    }

    Row row(long id) {
        return study(id, false).row();
    }

    /** The pixels of study {@code id}'s planted lesions (none for a negative study), row-major {@value #SIZE}×{@value #SIZE}. */
    boolean[] lesionMask(long id) {
        return study(id, true).canvas().mask();
    }

    private record Study(Row row, GrayCanvas canvas) {
    }

    private Study study(long id, boolean masked) {
        RowRandom r = new RowRandom(seed, ROW_STREAM, id);
        int h = r.choice(new double[]{0.25, 0.2, 0.18, 0.15, 0.12, 0.1});
        double[] hp = HOSPITALS[h];
        int age = (int) Math.round(RowRandom.clamp(r.gaussian(hp[4], 14), 18, 97));
        boolean male = r.bernoulli(0.48);
        boolean smoker = r.bernoulli(0.22);
        boolean finding = r.bernoulli(RowRandom.sigmoid(hp[0] + 0.035 * (age - 60) + 0.7 * (smoker ? 1 : 0) + 0.25 * (male ? 1 : 0)));
        double crp = Math.round(r.logNormal(Math.log(3.5) + (finding ? 0.8 : 0), 0.75) * 10) / 10.0;
        double wbc = Math.round(RowRandom.clamp(r.gaussian(6.8 + (finding ? 1.5 : 0), 1.8), 1.5, 25) * 10) / 10.0;
        double hb = Math.round(RowRandom.clamp(r.gaussian(14.2 - (male ? 0 : 1.2) - (finding ? 0.5 : 0), 1.2), 6, 19) * 10) / 10.0;

        GrayCanvas c = new GrayCanvas(SIZE, SIZE, 0.08f, masked);
        double bodyRx = r.uniform(24, 29);
        double bodyRy = r.uniform(26, 30);
        c.blob(31.5, 31.5, Math.min(bodyRx, bodyRy), 0.06, 2, r.uniform(0, Math.PI), 0.32);
        for (int k = 0; k < 6; k++) {
            c.gaussian(r.uniform(12, 52), r.uniform(12, 52), r.uniform(5, 11), r.gaussian(0, 0.06));
        }
        if (finding) {
            int lesions = r.bernoulli(0.3) ? 2 : 1;
            for (int k = 0; k < lesions; k++) {
                double angle = r.uniform(0, 2 * Math.PI);
                double dist = r.uniform(0, 16);
                c.plantedBlob(31.5 + dist * Math.cos(angle), 31.5 + dist * Math.sin(angle), r.uniform(2.2, 6), r.uniform(0.1, 0.3),
                        3 + r.nextInt(4), r.uniform(0, 2 * Math.PI), r.uniform(0.18, 0.38));
            }
        } else if (r.bernoulli(0.3)) {
            double angle = r.uniform(0, Math.PI);
            double len = r.uniform(10, 24);
            double cx = r.uniform(22, 42);
            double cy = r.uniform(22, 42);
            c.line(cx - len * Math.cos(angle), cy - len * Math.sin(angle), cx + len * Math.cos(angle), cy + len * Math.sin(angle),
                    0.6, r.uniform(0.12, 0.22));
        }
        c.noise(r, hp[3]);
        c.response(hp[1], hp[2]);

        Instant ts = START.plusSeconds((long) (r.uniform() * 730L * 24 * 3600));
        return new Study(RowFactory.create(String.format("IMG-%010d", id), String.format("PAT-%09d", RowRandom.mix64(seed + id) >>> 36),
                String.format("H%02d", h + 1), Timestamp.from(ts), Date.valueOf(ts.atZone(ZoneOffset.UTC).toLocalDate()),
                age, male ? "M" : "F", crp, wbc, hb, smoker ? 1 : 0, c.toPng(), SIZE, SIZE, finding ? 1 : 0), c);
    }
}
