package org.metaadamw.meta;

import java.io.Serializable;

/**
 * Size of the attention module (algorithm.md section 4).
 *
 * @param inputFeatures  F, features per group token (&gt;= 1)
 * @param model          d, token width (&gt;= 1, divisible by {@code heads})
 * @param layers         L, pre-LayerNorm encoder layers (&gt;= 1)
 * @param heads          H, attention heads (&gt;= 1)
 * @param feedForward    d_ff, hidden width of each feed-forward block (&gt;= 1)
 * @param activation     feed-forward non-linearity
 * @param groupEmbeddings G when every group gets a learned embedding added to its token
 *                       (the "enhanced" feature version), else 0
 */
public record ModuleShape(int inputFeatures, int model, int layers, int heads, int feedForward,
                          Activation activation, int groupEmbeddings) implements Serializable {

    /** Feed-forward activation. GELU uses the tanh approximation. */
    public enum Activation { RELU, GELU }

    /** Outputs per group: pre-sigmoid α, β, λ1, λ2 (section 4). */
    public static final int OUTPUTS = 4;

    public ModuleShape {
        require(inputFeatures >= 1, "inputFeatures", inputFeatures, ">= 1");
        require(model >= 1, "model (d)", model, ">= 1");
        require(layers >= 1, "layers (L)", layers, ">= 1");
        require(heads >= 1, "heads (H)", heads, ">= 1");
        require(model % heads == 0, "heads (H)", heads, "a divisor of d = " + model);
        require(feedForward >= 1, "feedForward (d_ff)", feedForward, ">= 1");
        require(groupEmbeddings >= 0, "groupEmbeddings", groupEmbeddings, ">= 0");
        if (activation == null) {
            throw new IllegalArgumentException("activation must be one of RELU, GELU (got null)");
        }
    }

    /** The project's default size: d = 32, L = 2, H = 4, d_ff = 64, ReLU. */
    public static ModuleShape defaults(int inputFeatures) {
        return new ModuleShape(inputFeatures, 32, 2, 4, 64, Activation.RELU, 0);
    }

    public ModuleShape withGroupEmbeddings(int groups) {
        return new ModuleShape(inputFeatures, model, layers, heads, feedForward, activation, groups);
    }

    public int headWidth() {
        return model / heads;
    }

    private static void require(boolean ok, String name, int value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("attention module " + name + " must be " + range + " (got " + value + ")");
        }
    }

    /** The attention module's shape the configuration asks for, for {@code inputFeatures} features and {@code groups} groups. */
    public static ModuleShape of(org.metaadamw.config.MetaAdamWConfig cfg, int inputFeatures, int groups) {
        ModuleShape s = new ModuleShape(inputFeatures, cfg.moduleDim() == 0 ? inputFeatures : cfg.moduleDim(), cfg.moduleLayers(),
                cfg.moduleHeads(), cfg.moduleFfn(), Activation.valueOf(cfg.moduleActivation().toUpperCase(java.util.Locale.ROOT)), 0);
        return org.metaadamw.stats.FeatureSet.Version.of(cfg).learnedEmbedding() ? s.withGroupEmbeddings(groups) : s;
    }
}
