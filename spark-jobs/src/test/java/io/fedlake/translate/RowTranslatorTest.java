package io.fedlake.translate;

import io.fedlake.testing.LocalSparkTest;
import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.Preprocessing;
import io.fedlake.zoo.image.ImagePreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor.CategoricalFeature;
import io.fedlake.zoo.tabular.TabularPreprocessor.NumericFeature;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The external-{@link Row} and Catalyst-{@link InternalRow} entry points of {@link RowTranslator.Batch} encode the
 * same table to the same bits and reject the same rows for the same reasons.
 */
class RowTranslatorTest extends LocalSparkTest {

    private static final StructType SCHEMA = new StructType()
            .add("n_double", DataTypes.DoubleType)
            .add("n_int", DataTypes.IntegerType)
            .add("n_long", DataTypes.LongType)
            .add("n_dec", DataTypes.createDecimalType(10, 3))
            .add("n_bool", DataTypes.BooleanType)
            .add("n_float", DataTypes.FloatType)
            .add("n_short", DataTypes.ShortType)
            .add("c_str", DataTypes.StringType)
            .add("c_int", DataTypes.IntegerType)
            .add("img", DataTypes.BinaryType)
            .add("y", DataTypes.createDecimalType(4, 1))
            .add("z", DataTypes.StringType);

    private static final Preprocessing PRE = new Preprocessing(
            new TabularPreprocessor(
                    List.of(new NumericFeature("n_double", 0.3, 1.7), new NumericFeature("n_int", -2, 3.5),
                            new NumericFeature("n_long", 0, 1), new NumericFeature("n_dec", 1.1, 0.9),
                            new NumericFeature("n_bool", 0.4, 0.5), new NumericFeature("n_float", 0.1, 0.3),
                            new NumericFeature("n_short", 5, 2)),
                    List.of(new CategoricalFeature("c_str", List.of("red", "green", "grün")),
                            new CategoricalFeature("c_int", List.of("7", "42")))),
            new ImagePreprocessor("img", 1, 8, 8, 10_000),
            List.of(new ModelSpec.Output("p_y", "y", List.of("0", "1")), new ModelSpec.Output("p_z", "z", List.of("a", "b", "c"))));

    private static Row row(Double d, Integer i, Long l, String dec, Boolean b, Float f, Short s, String cs, Integer ci, byte[] img,
                           String y, String z) {
        return RowFactory.create(d, i, l, dec == null ? null : new BigDecimal(dec), b, f, s, cs, ci, img, y == null ? null : new BigDecimal(y), z);
    }

    private static byte[] png(int type, int seed) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, type);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int v = (x * 31 + y * 17 + seed * 7) & 0xFF;
                img.setRGB(x, y, (v << 16) | (((v * 3) & 0xFF) << 8) | ((v * 5) & 0xFF));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void rowAndInternalRowEncodeIdenticallyWithIdenticalReasons() throws IOException {
        byte[] gray = png(BufferedImage.TYPE_BYTE_GRAY, 1);
        byte[] rgb = png(BufferedImage.TYPE_INT_RGB, 2);
        List<Row> input = List.of(
                row(1.5, 3, 10_000_000_000L, "2.125", true, 0.25f, (short) 4, "green", 42, gray, "1.0", "b"),
                row(1.5, 3, null, "2.125", true, 0.25f, (short) 4, "green", 42, gray, "1.0", "b"),            // null numeric
                row(-0.7, 0, -3L, "0.001", false, -1.5f, (short) -2, "purple", 99, rgb, "0.0", "a"),            // unknown categories
                row(2.0, 1, 7L, "100.5", true, 3f, (short) 0, null, null, gray, "1", "c"),                      // null categories
                row(0.0, -8, 12L, "-4.250", false, 0f, (short) 9, "grün", 7, rgb, "0", "c"),                    // non-ASCII category
                row(1.0, 1, 1L, "1", true, 1f, (short) 1, "red", 7, gray, "0.5", "a"),                          // bad binary label
                row(1.0, 1, 1L, "1", true, 1f, (short) 1, "red", 7, gray, null, "a"),                           // missing label
                row(1.0, 1, 1L, "1", true, 1f, (short) 1, "red", 7, gray, "1", "q"),                            // bad multi-class label
                row(Double.NaN, 1, 1L, "1", true, 1f, (short) 1, "red", 7, gray, "1", "a"),                     // non-finite numeric
                row(1.0, 1, 1L, "1", true, 1f, (short) 1, "red", 7, null, "1", "a"),                            // missing image
                row(1.0, 1, 1L, "1", true, 1f, (short) 1, "red", 7, new byte[]{1, 2, 3}, "1", "a"),             // undecodable image
                row(1e-3, Integer.MIN_VALUE, Long.MAX_VALUE, "-9999999.999", false, Float.MIN_VALUE, Short.MIN_VALUE, "red", 42, rgb, "0", "c"),
                row(-1e300, Integer.MAX_VALUE, Long.MIN_VALUE, "0.000", true, -Float.MAX_VALUE, Short.MAX_VALUE, "green", 7, gray, "1.0", "a"));
        Dataset<Row> ds = spark.createDataFrame(input, SCHEMA);
        List<Row> external = ds.collectAsList();
        InternalRow[] catalyst = ds.queryExecution().executedPlan().executeCollect();
        assertEquals(external.size(), catalyst.length);

        RowTranslator t = new RowTranslator(PRE, ds.schema(), true, "test.rows");
        RowTranslator.Batch viaRow = t.newBatch(external.size());
        RowTranslator.Batch viaInternal = t.newBatch(external.size());
        List<String> rowReasons = new ArrayList<>();
        List<String> internalReasons = new ArrayList<>();
        for (int i = 0; i < external.size(); i++) {
            rowReasons.add(viaRow.add(external.get(i)));
            internalReasons.add(viaInternal.add(catalyst[i]));
        }

        List<String> expected = Arrays.asList(
                null,
                "missing value in column n_long",
                null,
                null,
                null,
                "unknown label '0.5' in column y; expected one of [0, 1]",
                "missing label in column y",
                "unknown label 'q' in column z; expected one of [a, b, c]",
                "non-finite value NaN in column n_double",
                "missing image",
                "undecodable image: not a PNG or JPEG",
                null,
                null);
        assertEquals(expected, rowReasons);
        assertEquals(expected, internalReasons);
        assertEquals(6, viaRow.rows());
        assertEquals(6, viaInternal.rows());
        // the whole buffers, including what rejected rows left past rows(): the two paths write the same floats in the same order
        for (int i = 0; i < viaRow.inputs.length; i++) {
            assertArrayEquals(viaRow.inputs[i], viaInternal.inputs[i], "input " + i);
        }
        for (int o = 0; o < viaRow.labels.length; o++) {
            assertArrayEquals(viaRow.labels[o], viaInternal.labels[o], "labels of output " + o);
        }

        // and those floats are the documented encoding, not merely the same mistake twice
        float[] numeric = viaRow.inputs[0];
        assertArrayEquals(new float[]{(float) ((1.5 - 0.3) / 1.7), (float) ((3 + 2) / 3.5), 10f, (float) ((2.125 - 1.1) / 0.9),
                (float) ((1 - 0.4) / 0.5), (float) ((0.25 - 0.1) / 0.3), (float) ((4 - 5) / 2.0)}, Arrays.copyOf(numeric, 7));
        assertEquals((float) ((0 - 0.4) / 0.5), numeric[7 + 4], "false counts as 0");
        float[] cStr = viaRow.inputs[1];
        float[] cInt = viaRow.inputs[2];
        assertArrayEquals(new float[]{1, 3, 3, 2, 0, 1}, Arrays.copyOf(cStr, 6), "green, unknown, null, grün, red, green");
        assertArrayEquals(new float[]{1, 2, 2, 0, 1, 0}, Arrays.copyOf(cInt, 6), "42, unknown, null, 7, 42, 7");
        float[] image = viaRow.inputs[3];
        assertTrue(image[1] > 0 && image[1] <= 1, "decoded pixels are in the unit interval: " + image[1]);
        assertArrayEquals(new float[]{1, 0, 1, 0, 0, 1}, Arrays.copyOf(viaRow.labels[0], 6));
        assertArrayEquals(new float[]{0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0}, Arrays.copyOf(viaRow.labels[1], 18));
    }
}
