package io.fedlake.train;

import io.fedlake.core.Extension;
import io.fedlake.translate.DataSpec;

import java.util.List;

/**
 * The extension point for training regimes: builds a {@link Trainer} from the options the user gave, and says
 * which options it reads. Implementations are listed in {@code META-INF/services/io.fedlake.train.RegimeFactory};
 * {@link Regimes} looks them up by name, and the CLI refuses a regime-specific option that the chosen regime
 * does not list.
 */
public interface RegimeFactory extends Extension {

    /**
     * Command-line options this regime reads beyond the ones every regime reads (table, columns, model,
     * hyper-parameters, seed). An option that no registered regime lists applies to all of them.
     */
    List<String> options();

    /** Settings only this regime reads, carried in {@link TrainConfig} (and its provenance); null when none. */
    default RegimeSettings settings(RegimeArguments args, DataSpec spec) {
        return null;
    }

    /**
     * @throws IllegalArgumentException for a combination of options the regime cannot honour, naming them
     */
    Trainer create(RegimeArguments args);
}
