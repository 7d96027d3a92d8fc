package io.fedlake.zoo.tabular;

import io.fedlake.zoo.tabular.TabularPreprocessor.CategoricalFeature;
import io.fedlake.zoo.tabular.TabularPreprocessor.NumericFeature;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TabularPreprocessorTest {

    private final TabularPreprocessor pre = new TabularPreprocessor(
            List.of(new NumericFeature("age", 40, 10), new NumericFeature("income", 50_000, 20_000)),
            List.of(new CategoricalFeature("home", List.of("RENT", "OWN"))));

    @Test
    void standardisesNumericAndOneHotsCategoricalWithOutOfVocabularySlot() {
        float[] out = new float[pre.width() * 3];

        assertNull(pre.encode(new double[]{50, 30_000}, new String[]{"OWN"}, out, 0));
        assertNull(pre.encode(new double[]{40, 50_000}, new String[]{"MORTGAGE"}, out, pre.width()));
        assertNull(pre.encode(new double[]{1e9, 50_000}, new String[]{null}, out, 2 * pre.width()));

        assertEquals(5, pre.width());
        assertArrayEquals(new float[]{1f, -1f, 0f, 1f, 0f,
                0f, 0f, 0f, 0f, 1f,
                (float) TabularPreprocessor.CLIP, 0f, 0f, 0f, 1f}, out, 1e-6f);
        assertEquals(List.of("age", "income", "home=RENT", "home=OWN", "home=<other>"), pre.encodedFeatureNames());
    }

    @Test
    void reportsNonFiniteValuesInsteadOfEncodingThem() {
        String reason = pre.encode(new double[]{Double.NaN, 1}, new String[]{"OWN"}, new float[5], 0);

        assertEquals("non-finite value NaN in column age", reason);
    }

    @Test
    void jsonRoundTripKeepsEveryFittedValue() {
        TabularPreprocessor back = TabularPreprocessor.fromJson(pre.toJson());

        assertEquals(pre, back);
        float[] a = new float[5];
        float[] b = new float[5];
        pre.encode(new double[]{33, 71_000}, new String[]{"RENT"}, a, 0);
        back.encode(new double[]{33, 71_000}, new String[]{"RENT"}, b, 0);
        assertArrayEquals(a, b);
    }

    @Test
    void rejectsInvalidFitsWithTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NumericFeature("dti", 0.2, 0));
        assertTrue(e.getMessage().contains("std of 'dti'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TabularPreprocessor.fromJson("{not json"));
        assertThrows(IllegalArgumentException.class, () -> new CategoricalFeature("c", List.of("a", "a")));
    }
}
