package io.fedlake.train;

import io.fedlake.features.stats.ColumnStatistics;
import io.fedlake.features.stats.TableStatistics;
import io.fedlake.zoo.tabular.TabularPreprocessor;
import io.fedlake.zoo.tabular.TabularPreprocessor.CategoricalFeature;
import io.fedlake.zoo.tabular.TabularPreprocessor.NumericFeature;

import java.util.ArrayList;
import java.util.List;

/** Fits the saved preprocessing from training-split statistics. */
public final class PreprocessorFit {

    /** A category needs this share of the non-null rows (and at least {@link #MIN_COUNT}) to get its own slot. */
    static final double MIN_SHARE = 0.001;
    static final long MIN_COUNT = 5;

    private PreprocessorFit() {
    }

    public static TabularPreprocessor fit(TableStatistics stats, List<String> numeric, List<String> categorical) {
        List<NumericFeature> nums = new ArrayList<>();
        for (String c : numeric) {
            ColumnStatistics s = stats.column(c);
            if (s.count() == 0) {
                throw new IllegalArgumentException("numeric column '" + c + "' has no usable values in the training split");
            }
            double std = s.stddev() == null || !(s.stddev() > 1e-12) ? 1.0 : s.stddev();
            nums.add(new NumericFeature(c, s.mean(), std));
        }
        List<CategoricalFeature> cats = new ArrayList<>();
        for (String c : categorical) {
            ColumnStatistics s = stats.column(c);
            long min = Math.max(MIN_COUNT, (long) Math.ceil(MIN_SHARE * s.count()));
            cats.add(new CategoricalFeature(c, s.topValues().stream().filter(v -> v.count() >= min).map(ColumnStatistics.ValueCount::value).toList()));
        }
        return new TabularPreprocessor(nums, cats);
    }
}
