package io.fedlake.zoo.tabular;

import io.fedlake.zoo.ModelSpec;
import io.fedlake.zoo.Preprocessing;
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
    void standardisesAndClipsNumericValues() {
        float[] out = new float[4];

        assertNull(pre.encodeNumeric(new double[]{50, 30_000}, out, 0));
        assertNull(pre.encodeNumeric(new double[]{1e9, 50_000}, out, 2));

        assertArrayEquals(new float[]{1f, -1f, (float) TabularPreprocessor.CLIP, 0f}, out, 1e-6f);
    }

    @Test
    void categoriesIndexTheVocabularyAndEverythingElseSharesTheLastIndex() {
        assertEquals(0, pre.categoryIndex(0, "RENT"));
        assertEquals(1, pre.categoryIndex(0, "OWN"));
        assertEquals(2, pre.categoryIndex(0, "MORTGAGE"));
        assertEquals(2, pre.categoryIndex(0, null));
        assertEquals(3, pre.cardinality(0));
        assertEquals(List.of(new ModelSpec.Dense("numeric", 2), new ModelSpec.Categorical("cat_home", 3)),
                new Preprocessing(pre, null, List.of(new ModelSpec.Output("y", "y", List.of("0", "1")))).modelSpec().inputs());
    }

    @Test
    void reportsNonFiniteValuesInsteadOfEncodingThem() {
        assertEquals("non-finite value NaN in column age", pre.encodeNumeric(new double[]{Double.NaN, 1}, new float[2], 0));
        assertEquals("non-finite value Infinity in column income", pre.encodeNumeric(new double[]{1, Double.POSITIVE_INFINITY}, new float[2], 0));
    }

    @Test
    void jsonRoundTripKeepsEveryFittedValue() {
        TabularPreprocessor back = TabularPreprocessor.fromJson(pre.toJson());

        assertEquals(pre, back);
        assertEquals(1, back.categoryIndex(0, "OWN"));
    }

    @Test
    void rejectsInvalidFitsWithTheFieldNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NumericFeature("dti", 0.2, 0));
        assertTrue(e.getMessage().contains("std of 'dti'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TabularPreprocessor.fromJson("{not json"));
        assertThrows(IllegalArgumentException.class, () -> new CategoricalFeature("c", List.of("a", "a")));
    }
}
