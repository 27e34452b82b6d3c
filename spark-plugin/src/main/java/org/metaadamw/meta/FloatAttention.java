package org.metaadamw.meta;

/**
 * Scaled dot-product attention of one head in single precision, the G² part of {@link AttentionModule}'s
 * forward and backward passes (algorithm.md section 4): the scores, the softmax over the keys and the two
 * products with the values, and their backward. The module converts a layer's queries, keys and values to
 * float, calls this once per head and converts the results back; everything else stays in double.
 *
 * <p>Layout: feature-major rows of {@link #padded(int)} floats (one row per query, key or value feature,
 * the groups along the row); lanes at and beyond G are zero on input and are never read back. Attention
 * weights are key-major: {@code pt[j][i] = P[i][j]}.
 *
 * <p>The one implementation, {@code VectorFloatAttention}, uses the incubating Vector API; it is loaded by
 * {@link AttentionPrecision} only when the module {@code jdk.incubator.vector} is in the boot layer, so that
 * this interface and the module never reference the API themselves. Implementations are stateless and
 * thread-safe; the buffers they are given are not.
 */
interface FloatAttention {

    /** {@code G} rounded up to a whole number of vectors: the length every row must have. */
    int padded(int groups);

    /**
     * Forward of one head: {@code pt[j][i] = softmax_j(Σ_c q[c][i]·k[c][j])} (the queries already scaled by
     * 1/√dh) and {@code o[o0+c][i] = Σ_j v[c][j]·pt[j][i]}, with q, k, v the rows [q0, q0+dh), [k0, k0+dh),
     * [v0, v0+dh) of {@code qkv}.
     *
     * @param kT  G×dh scratch (the keys, group-major)
     * @param max scratch of one row; {@code sum} likewise
     */
    void forward(float[][] qkv, int q0, int k0, int v0, int dh, int groups, float[][] kT, float[][] pt,
                 float[][] o, int o0, float[] max, float[] sum);

    /**
     * Backward of {@link #forward}: from the upstream gradient rows [dO0, dO0+dh) of {@code dO}, writes into
     * the rows [k0, k0+dh) and [v0, v0+dh) of {@code dqkv} the gradients with respect to the keys and the
     * values, and into the rows [q0, q0+dh) the gradient with respect to the queries before the 1/√dh of the
     * scores (the caller multiplies those rows by 1/√dh).
     *
     * @param vT  G×dh scratch; {@code dpt} G×padded scratch (score gradients, key-major); {@code dot} one row
     */
    void backward(float[][] qkv, int q0, int k0, int v0, int dh, int groups, float[][] pt, float[][] dO, int dO0,
                  float[][] vT, float[][] dpt, float[] dot, float[][] dqkv);
}
