package io.fedlake.train;

/** The validation split's hash offset, for CLI tests in another package that recompute the split in SQL. */
public final class EarlyStoppingAccess {
    public static final long VALIDATION_SEED = TrainingJob.VALIDATION_SEED;

    private EarlyStoppingAccess() {
    }
}
