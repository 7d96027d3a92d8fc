package io.fedlake.train;

import java.io.Serializable;
import java.util.List;

/** Settings that only one training regime reads, carried in {@link TrainConfig}; see {@link RegimeFactory#settings}. */
public interface RegimeSettings extends Serializable {

    /** Columns the regime reads besides the data spec's (e.g. federated averaging's client column). */
    default List<String> columnsRead() {
        return List.of();
    }

    /**
     * These settings sized to {@code rows} training rows, for the options named in {@code sized} (the ones the user
     * did not give); each change is described in {@code changes}. By default nothing is sized.
     */
    default RegimeSettings sizedTo(long rows, java.util.Set<String> sized, List<String> changes) {
        return this;
    }

    /** Key under which {@link #toString()} is recorded in the model's trainer provenance. */
    String provenanceKey();
}
