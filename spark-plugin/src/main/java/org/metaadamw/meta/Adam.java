package org.metaadamw.meta;

import java.io.Serializable;

/**
 * Plain Adam over a {@code double[]} with an optional L2 penalty added to the gradient: the
 * meta-optimizer of the attention module's weights ψ and of the HUW log-variances.
 *
 * <p>Mutable; single-threaded.
 */
final class Adam implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Serializable snapshot of the moments and step count. */
    public record State(double[] m, double[] v, long step) implements Serializable {
    }

    private final double lr, b1, b2, eps, l2;
    private final double[] m, v;
    private long step;

    public Adam(int size, double lr, double b1, double b2, double eps, double l2) {
        this.lr = lr;
        this.b1 = b1;
        this.b2 = b2;
        this.eps = eps;
        this.l2 = l2;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** params ← params − lr·m̂/(√v̂ + ε), with grad + l2·params as the gradient. */
    public void step(double[] params, double[] grad) {
        if (params.length != m.length || grad.length != m.length) {
            throw new IllegalArgumentException("Adam over " + m.length + " values got params " + params.length + ", grad " + grad.length);
        }
        step++;
        double c1 = 1 - Math.pow(b1, step), c2 = 1 - Math.pow(b2, step);
        for (int i = 0; i < params.length; i++) {
            double g = grad[i] + l2 * params[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
    }

    public State state() {
        return new State(m.clone(), v.clone(), step);
    }

    /** Makes this optimizer's moments and step count those of {@code other} (same size), without allocating. */
    void copyFrom(Adam other) {
        if (other.m.length != m.length) {
            throw new IllegalArgumentException("Adam state of " + other.m.length + " values, expected " + m.length);
        }
        System.arraycopy(other.m, 0, m, 0, m.length);
        System.arraycopy(other.v, 0, v, 0, v.length);
        step = other.step;
    }

    void restore(State s) {
        if (s.m().length != m.length) {
            throw new IllegalArgumentException("Adam state of " + s.m().length + " values, expected " + m.length);
        }
        System.arraycopy(s.m(), 0, m, 0, m.length);
        System.arraycopy(s.v(), 0, v, 0, v.length);
        step = s.step();
    }
}
