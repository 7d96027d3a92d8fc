package io.fedlake.train;

import java.io.Serializable;

/**
 * An order-independent, exact sum of float/double vectors, used to average parameters across workers and clients.
 * Spark's {@code treeAggregate} merges partial results in whatever order tasks finish, and floating-point addition
 * is not associative, so a plain double sum would make two runs with the same seed differ in the last bits. Each
 * term is instead rounded once to a 128-bit fixed-point integer (2⁻⁹⁶ resolution, magnitudes below 2²⁴ after
 * weighting) and integers add exactly in any order. The rounding of a term does not depend on the other terms,
 * so the result is bit-identical however the sum is grouped.
 */
public final class ExactSum implements Serializable {

    private static final long serialVersionUID = 1L;
    /** Fraction bits of the fixed-point representation. */
    static final int FRACTION_BITS = 96;
    /** Largest magnitude a weighted term may have; beyond it the sum could overflow 128 bits when many terms are added. */
    static final double MAX_TERM = 0x1p24;

    private final long[] hi;
    private final long[] lo;
    private double weight;
    private long terms;

    public ExactSum(int length) {
        this.hi = new long[length];
        this.lo = new long[length];
    }

    public int length() {
        return hi.length;
    }

    /** Total weight added (e.g. examples or workers). */
    public double weight() {
        return weight;
    }

    /** Number of vectors added. */
    public long terms() {
        return terms;
    }

    /**
     * Adds {@code scale · v} for every element, and {@code weight} to the total weight.
     *
     * @throws IllegalArgumentException when a value is not finite or too large (the model diverged)
     */
    public ExactSum add(float[] v, double scale, double weight) {
        if (v.length != hi.length) {
            throw new IllegalArgumentException("vector length " + v.length + " does not match the sum's " + hi.length);
        }
        for (int i = 0; i < v.length; i++) {
            addTerm(i, v[i] * scale);
        }
        this.weight += weight;
        terms++;
        return this;
    }

    /** Adds another partial sum (treeAggregate's combine). */
    public ExactSum merge(ExactSum other) {
        if (other.hi.length != hi.length) {
            throw new IllegalArgumentException("cannot merge sums of length " + other.hi.length + " and " + hi.length);
        }
        for (int i = 0; i < hi.length; i++) {
            long l = lo[i] + other.lo[i];
            long carry = Long.compareUnsigned(l, lo[i]) < 0 ? 1 : 0;
            lo[i] = l;
            hi[i] = hi[i] + other.hi[i] + carry;
        }
        weight += other.weight;
        terms += other.terms;
        return this;
    }

    /** The sum divided by {@code divisor}, as floats. */
    public float[] divideBy(double divisor) {
        float[] out = new float[hi.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (value(i) / divisor);
        }
        return out;
    }

    /** The sum as doubles. */
    public double[] values() {
        double[] out = new double[hi.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = value(i);
        }
        return out;
    }

    /** Element {@code i} of the sum as a double. */
    public double value(int i) {
        long h = hi[i];
        long l = lo[i];
        // two's-complement 128-bit integer → double: hi·2⁶⁴ + unsigned(lo)
        double unsignedLo = (double) (l >>> 1) * 2.0 + (l & 1);
        return Math.scalb((double) h * 0x1p64 + unsignedLo, -FRACTION_BITS);
    }

    private void addTerm(int i, double x) {
        if (x == 0) {
            return;
        }
        if (!Double.isFinite(x) || Math.abs(x) >= MAX_TERM) {
            throw new IllegalArgumentException("parameter value " + x + " at index " + i + " is not finite or beyond ±" + MAX_TERM
                    + "; training diverged (lower the learning rate)");
        }
        int exponent = Math.getExponent(x);                 // x = m · 2^(exponent − 52), m a 53-bit integer
        long mantissa = (Double.doubleToRawLongBits(x) & 0x000FFFFFFFFFFFFFL);
        if (exponent == Double.MIN_EXPONENT - 1) {           // subnormal
            exponent = Double.MIN_EXPONENT;
        } else {
            mantissa |= 1L << 52;
        }
        int shift = exponent - 52 + FRACTION_BITS;           // x · 2^F = mantissa · 2^shift
        long h;
        long l;
        if (shift <= -64) {
            return;                                          // below the resolution
        } else if (shift < 0) {
            h = 0;
            l = mantissa >>> -shift;                         // truncation: deterministic, independent of other terms
        } else if (shift == 0) {
            h = 0;
            l = mantissa;
        } else if (shift < 64) {
            l = mantissa << shift;
            h = shift > 11 ? mantissa >>> (64 - shift) : 0;
        } else {
            h = mantissa << (shift - 64);
            l = 0;
        }
        if (x < 0) {                                         // negate: ~v + 1
            l = ~l + 1;
            h = ~h + (l == 0 ? 1 : 0);
        }
        long sum = lo[i] + l;
        long carry = Long.compareUnsigned(sum, lo[i]) < 0 ? 1 : 0;
        lo[i] = sum;
        hi[i] = hi[i] + h + carry;
    }
}
