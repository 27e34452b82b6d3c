package org.metaadamw.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The registry of every {@code spark.metaadamw.*} configuration key: type, default, documentation
 * and allowed range. {@code docs/configuration.md} is generated from it ({@link #markdownReference()}),
 * and a test fails when the committed file is stale.
 *
 * <p>Section references are to {@code algorithm.md}.
 */
public final class MetaAdamWConf {
    public static final String PREFIX = "spark.metaadamw.";
    private static final List<ConfigEntry<?>> ENTRIES = new ArrayList<>();

    private MetaAdamWConf() {
    }

    // ---- preset (read first: it changes the defaults of other keys) ----
    public static final ConfigEntry<String> PRESET = choice("preset", "default",
            "default: the project's formulation (log-space multipliers with a learned global step scale, alignment towards orthogonal successive validation gradients; see docs/algorithm.md). "
                    + "paper: the paper's formulation as one switch (sigmoid multipliers in (0.5, 1.5), the three terms with maximal alignment, basic features, a module of width d = F); "
                    + "it changes only the defaults listed in the preset column, explicit settings still win.",
            "default", "paper");

    // ---- update rule (section 1) ----
    public static final ConfigEntry<Double> LEARNING_RATE = positive("learningRate", 1e-3,
            "Base learning rate η of AdamW; each group's step is η·α_g.");
    public static final ConfigEntry<Double> BETA1 = unitInterval("beta1", 0.9, "Adam first-moment decay β1.");
    public static final ConfigEntry<Double> BETA2 = unitInterval("beta2", 0.999, "Adam second-moment decay β2.");
    public static final ConfigEntry<Double> EPSILON = positive("epsilon", 1e-8,
            "Adam ε, added to √v with the bias corrections folded into the step size (Kingma & Ba's efficient form, as DL4J's Adam).");
    public static final ConfigEntry<Double> WEIGHT_DECAY = nonNegative("weightDecay", 1e-2,
            "Base decoupled weight decay λ; each group's decay is η·α_g·β_g·λ·θ.");
    public static final ConfigEntry<Boolean> DECAY_BIASES = bool("decayBiases", false,
            "Apply weight decay to bias and normalization parameters too (PyTorch's AdamW default does; most recipes do not).");

    // ---- modulation (section 4) ----
    public static final ConfigEntry<String> MULTIPLIERS = choice("multipliers", "log",
            "How module outputs become multipliers. log: α_g = exp(A·tanh((ρ + a_g)/A)) with ρ the learned global log step scale, "
                    + "A = ln(alphaMax) where ρ + a_g ≥ 0 and A = −ln(alphaMin) below (smooth at 0), "
                    + "β_g = exp(B·tanh(b_g/B)), B = ln(betaMax), with no global scale (zero outputs give exactly 1). sigmoid: the paper's α_g = 1 + r_α(σ(a_g) − ½).",
            "log", "sigmoid");
    public static final ConfigEntry<Double> ALPHA_MAX = greaterThan("alphaMax", 100.0, 1.0,
            "log multipliers: the ceiling of α_g (and of the hypergradient controller's α_g): α_g lies in (alphaMin, alphaMax).");
    public static final ConfigEntry<Double> ALPHA_MIN = openRange("alphaMin", 0.01, 0.0, 1.0,
            "log multipliers: the floor of α_g (and of the hypergradient controller's α_g): α_g lies in (alphaMin, alphaMax).");
    public static final ConfigEntry<Double> BETA_MAX = greaterThan("betaMax", 4.0, 1.0,
            "log multipliers: β_g lies in (1/betaMax, betaMax).");
    public static final ConfigEntry<Double> ALPHA_RANGE = openRange("alphaRange", 1.0, 0.0, 2.0,
            "sigmoid multipliers (and the random ablation): r_α, α_g = 1 + r_α(σ(a_g) − ½) lies in (1 − r_α/2, 1 + r_α/2); 1 gives the paper's (0.5, 1.5).");
    public static final ConfigEntry<Double> BETA_RANGE = openRange("betaRange", 1.0, 0.0, 2.0,
            "sigmoid multipliers (and the random ablation): r_β, β_g = 1 + r_β(σ(b_g) − ½); 1 gives the paper's (0.5, 1.5).");

    // ---- grouping and features (sections 2, 3) ----
    public static final ConfigEntry<String> GROUPING = choice("grouping", "fine",
            "Parameter grouping: fine = (layer kind, depth third, is-bias); layer = one group per layer and parameter kind; single = one group.",
            "fine", "layer", "single");
    public static final ConfigEntry<String> FEATURES = choice("features", "basic+",
            "Feature version of the group tokens: basic (6 features), basic+ (adds standard deviations, 9), enhanced (adds variances, sparsities, log size, bias ratio, depth and a learned group embedding, 16).",
            "basic", "basic+", "enhanced");
    public static final ConfigEntry<String> FEATURE_MODE = choice("featureMode", "normalized",
            "normalized: log(x + 1e-12) of magnitudes, then a z-score of every column across groups (t/T stays raw); paper: the raw means.",
            "normalized", "paper");

    // ---- attention module (section 4) ----
    public static final ConfigEntry<Integer> MODULE_DIM = intRange("module.dim", 32, 0, 4096,
            "Token width d of the attention module; 0 = the number of features F (the paper's d = F).");
    public static final ConfigEntry<Integer> MODULE_LAYERS = positiveInt("module.layers", 2, "Encoder layers L.");
    public static final ConfigEntry<Integer> MODULE_HEADS = positiveInt("module.heads", 4, "Attention heads H (must divide module.dim).");
    public static final ConfigEntry<Integer> MODULE_FFN = positiveInt("module.ffn", 64, "Feed-forward width d_ff.");
    public static final ConfigEntry<String> MODULE_ACTIVATION = choice("module.activation", "relu",
            "Feed-forward activation.", "relu", "gelu");
    public static final ConfigEntry<String> META_PRECISION = choice("meta.precision", "double",
            "Arithmetic of the attention module's attention on the driver (scores, softmax, the products with the values, forward and backward; "
                    + "the rest of the module stays double). double: everything in double. float: that part in float on the incubating Vector API, "
                    + "meta-steps 2.4 to 3.7 times faster at 512 groups, no faster at 64 (docs/benchmarks.md); needs --add-modules jdk.incubator.vector on the driver's JVM "
                    + "(spark.driver.extraJavaOptions), without it falls back to double with a warning. auto: float when the module is there and there are at least 128 groups, else double "
                    + "(below that the Vector API's kernels stay slow until HotSpot has compiled them, thousands of rounds). "
                    + "Float changes the multipliers by about 1e-6 relative per meta-step, so runs are reproducible only at the same setting.",
            "double", "float", "auto");

    // ---- meta-objective and meta-optimizer (sections 5, 6) ----
    public static final ConfigEntry<Double> META_LEARNING_RATE = positive("meta.learningRate", 1e-3,
            "Adam learning rate of the attention module's weights ψ.");
    public static final ConfigEntry<Double> META_L2 = nonNegative("meta.l2", 1e-4, "L2 penalty on ψ, added to its gradient.");
    public static final ConfigEntry<Double> HUW_LEARNING_RATE = positive("huw.learningRate", 1e-2,
            "Adam learning rate of the HUW log-variances s_i (clamped to [−6, 6]).");
    public static final ConfigEntry<double[]> PRIORITIES = priorities("huw.priorities", new double[]{1, 1, 1},
            "Priorities p_i of the three meta-loss terms in the order alignment, loss decrease, gap (paper presets: 1,1,1; 2,5,1; 5,2,1; 1,3,5).");
    public static final ConfigEntry<String> HUW_MODE = choice("huw.mode", "abs",
            "abs: s_i's own gradient uses |L_i| (bounded below; equilibrium weight p_i/|L_i|); paper: the literal formula (with the clamp).",
            "abs", "paper");
    public static final ConfigEntry<Double> META_SCALE_LEARNING_RATE = nonNegative("meta.scaleLearningRate", 0.25,
            "Step size κ (per meta-step, in log space) of ρ, the global log step scale shared by all groups (log multipliers only; 0 = no global scale): "
                    + "the starting step of meta.scaleRule=adaptive and sign (their step then stays within [κ/16, 4κ]), the fixed step of cosine, Adam's "
                    + "learning rate for adam. sign (the default) was measured with 0.25 and 0.5 (docs/results.md, section 4, "
                    + "\"The sign rule\": with 0.5 it overshot and collapsed α on one seed of three), adaptive and cosine with 0.5, adam with 0.1. "
                    + "ρ follows the summed hypergradient of every group, so a base learning rate that is too small or too large is corrected within tens of rounds.");
    public static final ConfigEntry<String> META_SCALE_RULE = choice("meta.scaleRule", "sign",
            "How ρ, the global log step scale, follows its hypergradient (log multipliers only). adam: an Adam step of size meta.scaleLearningRate on "
                    + "dL_meta/dρ. cosine: ρ ← ρ − meta.scaleLearningRate·c with c ∈ [−1, 1] the cosine of the validation gradient gv1 and the step "
                    + "the loss-decrease term scales (the round's step plus the trace μe, bounded by ‖gv1‖(‖Δ‖ + ‖μe‖)), summed over all groups: "
                    + "it does not shrink with the step, so a collapsed α can recover, and it moves in proportion to how consistently a "
                    + "longer or shorter step would have helped (docs/results.md, section 4). adaptive: the cosine rule with a step size of its own "
                    + "(Rprop's sign rule, Riedmiller and Braun 1993): ×1.2 while c keeps its sign from one meta-step to the next, ×0.5 when it "
                    + "flips, within [meta.scaleLearningRate/16, 4·meta.scaleLearningRate], starting at meta.scaleLearningRate. sign (the default): the same "
                    + "adapted step, moved by the sign of c instead of c (Rprop proper): a consistent but weak signal moves ρ as fast as a strong one. "
                    + "With κ = 0.25 it had the better worst case over the lr sweep on all three tasks, but on small validation sets (Iris) a weak, "
                    + "consistent early signal drove α to its floor and training stalled (docs/results.md, section 4, \"The sign rule\" and "
                    + "\"A failure of the sign rule on a small task\"); with meta.traceScale=current (the default) that trap is gone and the worst case "
                    + "over the sweep is within 5 % of AdamW's best on all three tasks (\"The trace rescaled to the current multipliers\").",
            "adam", "cosine", "adaptive", "sign");
    public static final ConfigEntry<String> META_SCALE_SIGNAL = choice("meta.scaleSignal", "joint",
            "The cosine signal c that meta.scaleRule cosine, adaptive and sign move ρ by (no effect with adam or without a trace). joint: one cosine of "
                    + "gv1 and the round's step plus the trace μe, Σ(⟨gv1, Δ⟩ + ⟨gv1, μe⟩) ÷ (‖gv1‖(‖Δ‖ + ‖μe‖)), so each part weighs by its length and, "
                    + "once the step has shrunk, the trace of earlier, longer steps alone sets c. balanced: the mean of the two cosines, "
                    + "½(⟨gv1, Δ⟩ ÷ (‖gv1‖‖Δ‖) + ⟨gv1, μe⟩ ÷ (‖gv1‖‖μe‖)), so the round's own step keeps half the say whatever its length "
                    + "(docs/results.md, section 4, \"A failure of the sign rule on a small task\").",
            "joint", "balanced");
    public static final ConfigEntry<String> META_TRACE_SCALE = choice("meta.traceScale", "current",
            "How the step trace μe (meta.traceDecay) keeps its earlier steps. applied: at the length they were taken with. current (the default): rescaled "
                    + "per group by α_g(next) ÷ α_g(applied) after every round, so that they count as if taken at the multiplier the next round applies; "
                    + "after the step has shrunk, the trace shrinks with it instead of outweighing the round's own step in the cosine signal and the "
                    + "loss-decrease hypergradient (docs/results.md, section 4, \"The trace rescaled to the current multipliers\"). shrink: the same "
                    + "rescaling, but by min(1, α_g(next) ÷ α_g(applied)): earlier steps shrink with the multiplier and never grow, so that after "
                    + "α has risen the long-lived trace of the early steps is not magnified to the new length either.",
            "applied", "current", "shrink");
    public static final ConfigEntry<Boolean> META_CENTER_GROUPS = bool("meta.centerGroups", false,
            "Log multipliers only (no effect with the sigmoid map): the module's per-group log multipliers are centred on their mean weighted by the groups' "
                    + "parameter counts, α_g = e^(ρ + a_g − Σ_j (n_j/n) a_j) before the bound, so the module only shares the step out between the groups "
                    + "and the global scale ρ alone sets the step of the average parameter. false: the module's outputs also move the overall level, "
                    + "following the per-group hypergradient, whose short-horizon bias pulls it down at a well-chosen base lr (docs/results.md, section 4, "
                    + "\"Centred group multipliers\").");
    public static final ConfigEntry<Double> META_SCALE_FALL_MAX = positive("meta.scaleFallMax", 1.0,
            "meta.scaleRule cosine, adaptive and sign: the largest decrease of ρ in one meta-step, as a multiple of κ (meta.scaleLearningRate); "
                    + "increases are bounded by the adapted step alone (at most 4κ), so with the default 1 e^ρ may rise up to e^(4κ) per meta-step "
                    + "and fall at most e^κ. Against the greedy objective's short-horizon bias, which over-reports \"shorter\": on small data a weak "
                    + "but steady \"shorter\" from the trace otherwise undid a whole rise within a few meta-steps (the README's CrossValidator "
                    + "snippet on Iris stayed at chance at two of its three lrs with 4, and beat AdamW at all three with 1; over the lr sweep "
                    + "1 kept the worst case within 5 % of AdamW's best on all three tasks: docs/results.md, section 4, \"A bounded fall\"). "
                    + "4 = no extra bound (the default before 2026-12-04).");
    public static final ConfigEntry<Double> META_SCALE_FLOOR = nonNegative("meta.scaleFloor", 0.0,
            "Experimental, against the greedy objective's short-horizon bias: e^ρ never falls more than this factor below the largest value it reached "
                    + "(values <= 1 = off).");
    public static final ConfigEntry<Double> META_TRACE_DECAY = unitInterval("meta.traceDecay", 0.97,
            "Against the greedy objective's short-horizon bias: decay μ of a trace of the steps applied in earlier rounds, e = Σ_j μ^j Δ̄_(r−j), added to the round's own step "
                    + "in the loss-decrease hypergradient (⟨gv1, Δ + e⟩ instead of ⟨gv1, Δ⟩: would longer steps over the last ~1/(1−μ) rounds have helped). "
                    + "0 = the one-round hypergradient. Chosen by measurement (docs/results.md). Costs one parameter-sized vector on the driver and in the broadcast "
                    + "of rounds with meta-signals.");
    public static final ConfigEntry<String> META_STEP_ESTIMATE = choice("meta.stepEstimate", "worker",
            "Slope of the validation loss along the round's step in the loss-decrease term (and the hypergradient controller). worker: ⟨gv1, Δ⟩ of each worker's own step, averaged; "
                    + "averaged: an estimate for the averaged step that is really applied, ⟨gv0, Δ⟩ + κ⟨gv1 − gv0, Δ⟩ with κ = ‖Δ̄‖²/mean‖Δ_w‖² measured by the driver "
                    + "(a worker's own step carries all of its minibatch noise; the average keeps about the share κ). Equal with one worker.",
            "worker", "averaged");
    public static final ConfigEntry<String> META_SIGNAL = choice("meta.signal", "validation",
            "Where the loss-decrease slope of a meta round comes from. validation: two passes on a validation minibatch per worker, "
                    + "L_val(θ_r) and gv1 = ∇L_val(θ_end), sloped along the round's step Δ = θ_end − θ_r (≈ 4/(3K) of the gradient work). "
                    + "training: no extra pass at all; the gradient of the round's last local step, taken anyway at θ_(K−1) on a training "
                    + "minibatch the round had not used yet, sloped along θ_(K−1) − θ_r (plus the trace μe), as hypergradient descent does "
                    + "(Baydin et al. 2018). No minibatches are held out for validation. Supports meta.terms=lossDecrease and "
                    + "meta.stepEstimate=worker only (the alignment and gap terms need validation passes). auto: training where it is supported, "
                    + "validation otherwise (meta.terms with alignment or gap, meta.stepEstimate=averaged).",
            "validation", "training", "auto");
    public static final ConfigEntry<String> META_ALIGNMENT = choice("meta.alignment", "orthogonal",
            "Gradient-alignment term. orthogonal: ½cos²(gv0, gv1) per group, zero when successive validation gradients are orthogonal (the classic step-size rule: "
                    + "positive correlation = step too short, negative = too long). paper: λ1‖gv1‖² − λ2·cos(gv0, gv1), which is largest at a zero step.",
            "orthogonal", "paper");
    public static final ConfigEntry<Integer> META_INTERVAL = positiveInt("meta.interval", 1,
            "Run the driver meta-step every this many rounds (validation passes are only made on those rounds).");
    public static final ConfigEntry<Double> META_COST_BUDGET = nonNegative("meta.costBudget", 0.0,
            "The share of the workers' gradient work the validation passes may take; 0 = off. When set, the meta interval is at least "
                    + "⌈c·f / (K · costBudget)⌉ rounds, with K = averagingFrequency, f = meta.validationFraction and c the validation passes "
                    + "of a meta round in gradient evaluations: 4/3 for the default objective (a forward pass and a gradient), 2 when the controller also reads gv0 "
                    + "(meta.terms with alignment, or meta.stepEstimate=averaged). 0.05 with K = 5 gives a meta-step every 6 rounds. "
                    + "The cosine global scale then takes steps that many times larger (κ = meta.scaleLearningRate × that factor), "
                    + "so ρ can move as far per round as without the budget. The quality it costs is measured in docs/results.md, section 4.");

    public static final ConfigEntry<Double> META_VALIDATION_FRACTION = register(new ConfigEntry<>(PREFIX + "meta.validationFraction",
            "double", 1.0, "The share of a validation minibatch's rows the validation passes of a meta round use: a window of "
                    + "⌈fraction · B⌉ consecutive rows at an offset drawn from the round seed (so a retried task takes the same rows, and "
                    + "the rows of a minibatch take turns over the rounds). 1 = the whole minibatch. A smaller share makes the passes "
                    + "cheaper, though not in proportion where a pass costs per time step rather than per row (recurrent networks: the "
                    + "window keeps the minibatch's padded length), and their signals noisier; docs/benchmarks.md and docs/results.md, "
                    + "section 4, measure both.",
            "in (0, 1]", v -> v > 0 && v <= 1, Double::parseDouble, String::valueOf));

    // ---- training rounds (section 5) ----
    public static final ConfigEntry<Integer> AVERAGING_FREQUENCY = positiveInt("averagingFrequency", 5,
            "K: local AdamW steps per worker between parameter averagings (one round).");
    public static final ConfigEntry<Long> SEED = longConf("seed", 12345L, "Seed of the attention module's initialisation and of round seeds.");
    public static final ConfigEntry<String> CONTROLLER = register(new ConfigEntry<>(PREFIX + "controller", "string", "metaadamw",
            "Driver controller: metaadamw (learned multipliers), adamw (constant 1: the meta-off switch), hypergradient (per-group multiplicative hypergradient descent, "
                    + "Baydin et al. 2018, from the same validation signals), random (an ablation: multipliers drawn once, uniformly in their ranges, from the seed, then frozen), "
                    + "mada (the workers run MADA, Ozkara et al. 2024, whose coefficients the driver learns by hypergradient descent; the mada.* keys, docs/mada.md), "
                    + "l3rs (the workers run L3RS, Kristiansen et al. 2025, a per-group learned mix of Adam and SGD with momentum and a learned update scale, with a fixed φ meta-trained by L3rsMetaTrainer and read from l3rs.params; docs/l3rs.md), "
                    + "lstm (the workers run the coordinatewise two-layer LSTM optimizer of Andrychowicz et al. 2016, weights shared over coordinates, with a fixed φ meta-trained by LstmMetaTrainer and read from lstm.params; docs/lstm.md), "
                    + "or a controller another jar adds (org.metaadamw.meta.ControllerProvider in META-INF/services); an unknown name is refused when the trainer is built, listing the known ones.",
            "metaadamw, adamw, hypergradient, random, mada, l3rs, lstm, or a ControllerProvider's name ([a-z][a-z0-9_-]*)",
            v -> v.matches("[a-z][a-z0-9_-]*"), s -> s.toLowerCase(Locale.ROOT), s -> s));
    public static final ConfigEntry<Double> HYPERGRADIENT_RATE = positive("hypergradient.rate", 0.1,
            "hypergradient controller: κ in ln α_g ← ln α_g − κ·cos(gv1_g, Δ_g) per meta-round (the normalized multiplicative rule), α_g clamped to [alphaMin, alphaMax].");
    // ---- l3rs controller (docs/l3rs.md) ----
    public static final ConfigEntry<String> L3RS_PARAMS = register(new ConfigEntry<>(PREFIX + "l3rs.params", "string", "",
            "l3rs controller: the meta-trained L3RS parameters φ, a JSON file written by L3rsMetaTrainer (result.params().toJson()), "
                    + "any Hadoop FileSystem path; required when controller = l3rs, read when the trainer is built. φ must have been "
                    + "meta-trained for the same network and grouping (its group names are checked).",
            "a path, or empty (required with controller = l3rs)", v -> true, s -> s, s -> s));
    // ---- lstm controller (docs/lstm.md) ----
    public static final ConfigEntry<String> LSTM_PARAMS = register(new ConfigEntry<>(PREFIX + "lstm.params", "string", "",
            "lstm controller: the meta-trained LSTM optimizer parameters φ, a JSON file written by LstmMetaTrainer (result.params().toJson()), "
                    + "any Hadoop FileSystem path; required when controller = lstm, read when the trainer is built. φ is shared by every "
                    + "coordinate and does not depend on the network; the LSTM state costs 4H values (80 for H = 20) per parameter.",
            "a path, or empty (required with controller = lstm)", v -> true, s -> s, s -> s));
    // ---- mada controller (docs/mada.md) ----
    public static final ConfigEntry<String> MADA_INITIAL = choice("mada.initial", "adam",
            "mada controller: the coefficients (β1, β2, β3, ρ, c, γ) training starts from, a named corner of MADA: adam (β3 = 0, ρ = c = γ = 1), "
                    + "avgrad (ρ = 0), yogi (c = 0), adan (β3 = 0.92, Adan's default gradient-difference decay 1 − 0.08), lion (γ = 0). "
                    + "β1, β2 are beta1 and beta2, clamped into MADA's ranges [0.01, 0.99] and [0.501, 0.99] (the default beta2 = 0.999 starts at 0.99).",
            "adam", "avgrad", "yogi", "adan", "lion");
    public static final ConfigEntry<String> MADA_COEFFICIENTS = choice("mada.coefficients", "global",
            "mada controller: global = one set of six coefficients for every parameter, as the paper; group = one set per parameter group (an extension none of the papers has).",
            "global", "group");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_BETA1 = nonNegative("mada.learningRate.beta1", 5e-4,
            "mada controller: hypergradient learning rate of β1 (coefficient per unit of loss; the official code's 5e-4; 0 freezes β1).");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_BETA2 = nonNegative("mada.learningRate.beta2", 5e-4,
            "mada controller: hypergradient learning rate of β2 (the official code's 5e-4; 0 freezes β2).");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_BETA3 = nonNegative("mada.learningRate.beta3", 0.1,
            "mada controller: hypergradient learning rate of β3 (the official code's 0.1; 0 freezes β3).");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_RHO = nonNegative("mada.learningRate.rho", 0.1,
            "mada controller: hypergradient learning rate of ρ (the official code's 0.1; 0 freezes ρ).");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_C = nonNegative("mada.learningRate.c", 0.1,
            "mada controller: hypergradient learning rate of c (the official code's 0.1; 0 freezes c).");
    public static final ConfigEntry<Double> MADA_LEARNING_RATE_GAMMA = nonNegative("mada.learningRate.gamma", 0.1,
            "mada controller: hypergradient learning rate of γ (the official code's 0.1; 0 freezes γ).");
    public static final ConfigEntry<Double> MADA_LION_BETA1 = unitInterval("mada.lionBeta1", 0.95,
            "mada controller: Lion's direction interpolation βL1 in sign(βL1·ℓ + (1 − βL1)·g), fixed (the official code's 0.95).");
    public static final ConfigEntry<Double> MADA_LION_BETA2 = unitInterval("mada.lionBeta2", 0.98,
            "mada controller: Lion's momentum decay βL2 in ℓ ← βL2·ℓ + (1 − βL2)·g, fixed (the official code's 0.98).");
    public static final ConfigEntry<String> META_TERMS = terms("meta.terms", "lossDecrease",
            "Meta-loss terms the attention module and ρ are trained on; comma-separated subset of alignment, lossDecrease, gap, balanced by HUW when more than one. "
                    + "The default is the loss-decrease hypergradient alone: measured on real tasks, the alignment and gap terms push α the same way whatever the base learning rate "
                    + "(docs/results.md, diagnosis); the paper preset uses all three.");
    public static final ConfigEntry<Integer> MAX_NON_FINITE_ROUNDS = positiveInt("maxNonFiniteRounds", 3,
            "Consecutive rounds whose result holds NaN/Inf (rolled back, neutral multipliers) before training stops with an error.");

    public static final ConfigEntry<Boolean> SHUFFLE = bool("shuffle", true,
            "Train on each worker's minibatches in a seeded pseudo-random order (a permutation of the worker's training minibatches from the seed, "
                    + "fixed for the run; every epoch visits each once) instead of input order, so that minibatches that are neighbours in the input "
                    + "(files in time or class order) are not trained on one after the other. The held-out and validation minibatches keep input order. "
                    + "false: input order, as DL4J's trainers use it. With it, the single-JVM trainer keeps one epoch's training minibatches in memory.");
    public static final ConfigEntry<Integer> VALIDATION_HOLDOUT = intRange("validationHoldout", 10, 2, 1000,
            "Without validation data, 1 in this many training minibatches is held out (deterministically) for the validation passes.");

    // ---- Spark runtime ----
    public static final ConfigEntry<Integer> NUM_WORKERS = intRange("numWorkers", 0, 0, 100_000,
            "Data-parallel workers (partitions) of the Spark trainer; 0 = the SparkContext's default parallelism. Results depend on this number, not on the cores.");
    public static final ConfigEntry<String> STORAGE_LEVEL = register(new ConfigEntry<>(PREFIX + "storageLevel", "string", "MEMORY_AND_DISK",
            "Spark storage level of the training and validation minibatches the Spark trainer caches for the whole run "
                    + "(MEMORY_AND_DISK spills what does not fit; MEMORY_ONLY recomputes it from the source, e.g. re-reads the Parquet files).",
            "one of " + String.join(", ", StorageLevels.NAMES), StorageLevels.NAMES::contains, s -> s.toUpperCase(Locale.ROOT), s -> s));
    // ---- checkpoints ----
    public static final ConfigEntry<String> CHECKPOINT_DIR = register(new ConfigEntry<>(PREFIX + "checkpoint.dir", "string", "",
            "Directory (any Hadoop FileSystem path: file:, hdfs:, ...) the trainers write checkpoints to; empty = no checkpoints. "
                    + "resume() on SparkMetaAdamW or LocalMetaAdamWTrainer continues from the newest one.", "a path, or empty", v -> true, s -> s, s -> s));
    public static final ConfigEntry<Integer> CHECKPOINT_INTERVAL = intRange("checkpoint.interval", 0, 0, 1_000_000,
            "Write a checkpoint every this many rounds, and at the end of every epoch; 0 = at epoch ends only.");
    public static final ConfigEntry<Integer> CHECKPOINT_KEEP = intRange("checkpoint.keep", 3, 1, 1000,
            "How many of the newest checkpoints to keep.");
    public static final ConfigEntry<Integer> METRICS_MAX_GROUPS = intRange("metrics.maxGroups", 64, 1, 4096,
            "Per-group α/β gauges registered by the SparkPlugin (groups beyond this number are not reported as gauges).");

    /**
     * The defaults {@code preset=paper} replaces (key → value). The paper's module has d = F; its
     * per-task L/H/d_ff are not given in our sources, so L = 2, H = 2 and d_ff = 4d are used.
     */
    private static final Map<String, Object> PAPER_PRESET = paperPreset();

    private static Map<String, Object> paperPreset() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(MULTIPLIERS.key(), "sigmoid");
        m.put(ALPHA_RANGE.key(), 1.0);
        m.put(BETA_RANGE.key(), 1.0);
        m.put(FEATURES.key(), "basic");
        m.put(MODULE_DIM.key(), 0);
        m.put(MODULE_LAYERS.key(), 2);
        m.put(MODULE_HEADS.key(), 2);
        m.put(MODULE_FFN.key(), 24);
        m.put(META_SCALE_LEARNING_RATE.key(), 0.0);
        m.put(META_CENTER_GROUPS.key(), false);
        m.put(META_ALIGNMENT.key(), "paper");
        m.put(META_TRACE_DECAY.key(), 0.0);
        m.put(PRIORITIES.key(), new double[]{1, 1, 1});
        m.put(META_TERMS.key(), "alignment,lossDecrease,gap");
        m.put(META_SIGNAL.key(), "validation");
        for (String k : m.keySet()) {
            entry(k); // every preset key is a registered key
        }
        return Collections.unmodifiableMap(m);
    }

    /** The default of {@code e} under {@code preset} (one of the values of {@link #PRESET}). */
    @SuppressWarnings("unchecked")
    static <T> T presetDefault(String preset, ConfigEntry<T> e) {
        if (preset.equals("paper") && PAPER_PRESET.containsKey(e.key())) {
            Object v = PAPER_PRESET.get(e.key());
            return (T) (v instanceof double[] a ? a.clone() : v);
        }
        return e.defaultValue();
    }

    /** All entries, in declaration order. */
    public static List<ConfigEntry<?>> entries() {
        return Collections.unmodifiableList(ENTRIES);
    }

    public static ConfigEntry<?> entry(String key) {
        for (ConfigEntry<?> e : ENTRIES) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown configuration key " + key + " (did you mean " + closest(key)
                + "?); known keys: " + ENTRIES.stream().map(ConfigEntry::key).collect(Collectors.joining(", ")));
    }

    /** F, the per-group feature columns of each {@code features} value (the paper's versions 1, 2 and 3). */
    static int featureColumns(String features) {
        return switch (features) {
            case "basic" -> 6;
            case "basic+" -> 9;
            case "enhanced" -> 16;
            default -> throw new IllegalArgumentException(FEATURES.key() + " must be one of basic, basic+, enhanced (got '" + features + "')");
        };
    }

    /**
     * Refuses a key whose prefix is a misspelling of {@code spark.metaadamw.} (such as
     * {@code spark.metadamw.learningRate}), which would otherwise be ignored without a word.
     */
    public static void checkPrefix(String key) {
        String spark = "spark.";
        if (key.startsWith(PREFIX) || !key.startsWith(spark)) {
            return;
        }
        int dot = key.indexOf('.', spark.length());
        if (dot < 0) {
            return;
        }
        String segment = key.substring(spark.length(), dot).toLowerCase(Locale.ROOT);
        if (editDistance(segment, "metaadamw") <= 2) {
            throw new IllegalArgumentException("unknown configuration key " + key + " (did you mean "
                    + closest(PREFIX + key.substring(dot + 1)) + "?)");
        }
    }

    /** The candidate nearest to {@code word} in edit distance, ignoring case (for "did you mean" messages). */
    public static String closest(String word, java.util.Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best;
    }

    /** The registered key nearest to {@code key} in edit distance, ignoring case. */
    static String closest(String key) {
        return closest(key, ENTRIES.stream().map(ConfigEntry::key).toList());
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** The Markdown reference committed as {@code docs/configuration.md}. */
    public static String markdownReference() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Configuration reference\n\n")
          .append("Generated from `org.metaadamw.config.MetaAdamWConf`; do not edit by hand. ")
          .append("Regenerate with `mvn -q -pl spark-plugin compile exec:java -Dexec.mainClass=org.metaadamw.config.ConfigReference -Dexec.args=docs/configuration.md` from the repository root")
          .append(" (a test fails while this file is stale).\n\n")
          .append("Every key can be set as a Spark configuration (`--conf key=value`) or through `MetaAdamWConfig.builder()`.\n\n")
          .append("| key | type | default | preset=paper | allowed | meaning |\n|---|---|---|---|---|---|\n");
        for (ConfigEntry<?> e : ENTRIES) {
            sb.append("| `").append(e.key()).append("` | ").append(e.type()).append(" | `")
              .append(printDefault(e)).append("` | ").append(printPaper(e)).append(" | ")
              .append(e.allowed().replace("|", "\\|")).append(" | ")
              .append(e.doc().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }

    private static <T> String printDefault(ConfigEntry<T> e) {
        return e.print(e.defaultValue());
    }

    private static <T> String printPaper(ConfigEntry<T> e) {
        return PAPER_PRESET.containsKey(e.key()) ? "`" + e.print(presetDefault("paper", e)) + "`" : "";
    }

    // ---- builders ----

    private static <T> ConfigEntry<T> register(ConfigEntry<T> e) {
        ENTRIES.add(e);
        return e;
    }

    private static ConfigEntry<Double> positive(String name, double def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "double", def, doc, "> 0 and finite",
                v -> v > 0 && Double.isFinite(v), Double::parseDouble, String::valueOf));
    }

    private static ConfigEntry<Double> nonNegative(String name, double def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "double", def, doc, ">= 0 and finite",
                v -> v >= 0 && Double.isFinite(v), Double::parseDouble, String::valueOf));
    }

    private static ConfigEntry<Double> unitInterval(String name, double def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "double", def, doc, "in [0, 1)",
                v -> v >= 0 && v < 1, Double::parseDouble, String::valueOf));
    }

    private static ConfigEntry<Double> openRange(String name, double def, double lo, double hi, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "double", def, doc, "in (" + lo + ", " + hi + ")",
                v -> v > lo && v < hi, Double::parseDouble, String::valueOf));
    }

    private static ConfigEntry<Double> greaterThan(String name, double def, double lo, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "double", def, doc, "> " + lo + " and finite",
                v -> v > lo && Double.isFinite(v), Double::parseDouble, String::valueOf));
    }

    private static ConfigEntry<Integer> positiveInt(String name, int def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "int", def, doc, ">= 1",
                v -> v >= 1, Integer::parseInt, String::valueOf));
    }

    private static ConfigEntry<Integer> intRange(String name, int def, int lo, int hi, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "int", def, doc, "in [" + lo + ", " + hi + "]",
                v -> v >= lo && v <= hi, Integer::parseInt, String::valueOf));
    }

    private static ConfigEntry<Long> longConf(String name, long def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "long", def, doc, "any 64-bit integer",
                v -> true, Long::parseLong, String::valueOf));
    }

    private static ConfigEntry<Boolean> bool(String name, boolean def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "boolean", def, doc, "true or false",
                v -> true, MetaAdamWConf::parseBoolean, String::valueOf));
    }

    private static boolean parseBoolean(String s) {
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean: " + s);
    }

    private static ConfigEntry<String> choice(String name, String def, String doc, String... values) {
        Set<String> allowed = Set.of(values);
        return register(new ConfigEntry<>(PREFIX + name, "string", def, doc, "one of " + String.join(", ", values),
                allowed::contains, s -> s.toLowerCase(Locale.ROOT), s -> s));
    }

    private static ConfigEntry<String> terms(String name, String def, String doc) {
        Set<String> known = Set.of("alignment", "lossDecrease", "gap");
        return register(new ConfigEntry<>(PREFIX + name, "string", def, doc, "a non-empty comma-separated subset of alignment, lossDecrease, gap",
                v -> !v.isBlank() && Arrays.stream(v.split(",")).map(String::trim).allMatch(known::contains),
                s -> s, s -> s));
    }

    private static ConfigEntry<double[]> priorities(String name, double[] def, String doc) {
        return register(new ConfigEntry<>(PREFIX + name, "3 comma-separated doubles", def, doc,
                "three finite values > 0",
                v -> v.length == 3 && Arrays.stream(v).allMatch(x -> x > 0 && Double.isFinite(x)),
                s -> Arrays.stream(s.split(",")).mapToDouble(x -> Double.parseDouble(x.trim())).toArray(),
                v -> Arrays.stream(v).mapToObj(x -> x == Math.rint(x) ? String.valueOf((long) x) : String.valueOf(x))
                        .collect(Collectors.joining(","))));
    }
}
