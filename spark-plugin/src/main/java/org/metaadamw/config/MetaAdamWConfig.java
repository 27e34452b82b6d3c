package org.metaadamw.config;


import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The resolved, validated configuration of a MetaAdamW run: an immutable map from
 * {@link MetaAdamWConf} entries to values, with typed getters. Invalid values are refused when
 * they are set, with a message naming the key and the allowed range, so a run never starts
 * with a bad setting.
 *
 * <p>Thread-safe (immutable) and serializable: the driver ships it to executors as is.
 */
public final class MetaAdamWConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Object> values;

    private MetaAdamWConfig(Map<String, Object> values) {
        this.values = values;
        // cross-key checks
        int d = moduleWidth();
        if (d % moduleHeads() != 0) {
            throw new IllegalArgumentException(MetaAdamWConf.MODULE_HEADS.key() + " must divide the module width d = " + d
                    + (moduleDim() == 0 ? " (" + MetaAdamWConf.MODULE_DIM.key() + " = 0: d = F of " + MetaAdamWConf.FEATURES.key()
                    + " = " + get(MetaAdamWConf.FEATURES) + ")" : " (" + MetaAdamWConf.MODULE_DIM.key() + ")")
                    + " (got " + moduleHeads() + ")");
        }
        if (get(MetaAdamWConf.META_SIGNAL).equals("training")) {
            boolean[] t = metaTerms();
            if (t[0] || t[2]) {
                throw new IllegalArgumentException(MetaAdamWConf.META_SIGNAL.key() + " = training supports "
                        + MetaAdamWConf.META_TERMS.key() + " = lossDecrease only: the alignment and gap terms need validation passes (got "
                        + MetaAdamWConf.META_TERMS.key() + " = " + get(MetaAdamWConf.META_TERMS) + "; set " + MetaAdamWConf.META_SIGNAL.key()
                        + " = validation for them)");
            }
            if (averagedStepEstimate()) {
                throw new IllegalArgumentException(MetaAdamWConf.META_SIGNAL.key() + " = training supports "
                        + MetaAdamWConf.META_STEP_ESTIMATE.key() + " = worker only: the averaged-step estimate needs gv0, a validation pass "
                        + "(set " + MetaAdamWConf.META_SIGNAL.key() + " = validation for it)");
            }
        }
        if (controller().equals("l3rs") && l3rsParams().isEmpty()) {
            throw new IllegalArgumentException(MetaAdamWConf.L3RS_PARAMS.key() + " must name the meta-trained L3RS parameter file "
                    + "(JSON written by L3rsMetaTrainer) when " + MetaAdamWConf.CONTROLLER.key() + " = l3rs (got an empty path)");
        }
        if (controller().equals("lstm") && lstmParams().isEmpty()) {
            throw new IllegalArgumentException(MetaAdamWConf.LSTM_PARAMS.key() + " must name the meta-trained LSTM parameter file "
                    + "(JSON written by LstmMetaTrainer) when " + MetaAdamWConf.CONTROLLER.key() + " = lstm (got an empty path)");
        }
        if (!logMultipliers() && metaScaleLearningRate() > 0) {
            throw new IllegalArgumentException(MetaAdamWConf.META_SCALE_LEARNING_RATE.key() + " must be 0 with "
                    + MetaAdamWConf.MULTIPLIERS.key() + " = sigmoid (the global step scale lives in log space; got "
                    + metaScaleLearningRate() + ")");
        }
    }

    public static MetaAdamWConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads every {@code spark.metaadamw.*} key of {@code conf}; other keys are ignored, unknown keys
     * under the prefix are refused (a misspelt key must not silently fall back to a default).
     */
    public static MetaAdamWConfig fromMap(Map<String, String> conf) {
        return builderFrom(conf).build();
    }

    private static Builder builderFrom(Map<String, String> conf) {
        Builder b = builder();
        conf.forEach((k, v) -> {
            if (k.startsWith(MetaAdamWConf.PREFIX)) {
                b.setString(k, v);
            } else {
                MetaAdamWConf.checkPrefix(k);
            }
        });
        return b;
    }

    /**
     * This configuration on top of {@code conf}'s {@code spark.metaadamw.*} keys: the one precedence
     * rule of the project, explicit value (API, job option) &gt; Spark configuration ({@code --conf},
     * properties file, spark-defaults.conf) &gt; default. Keys of {@code conf} outside the prefix are
     * ignored; an unknown key under the prefix is refused with the closest valid key.
     */
    public MetaAdamWConfig withDefaultsFrom(Map<String, String> conf) {
        Builder b = builderFrom(conf);
        b.values.putAll(values);
        return b.build();
    }

    /** The keys set explicitly (not defaults), with their values as strings. */
    public Map<String, String> explicitValues() {
        Map<String, String> out = new TreeMap<>();
        for (ConfigEntry<?> e : MetaAdamWConf.entries()) {
            if (values.containsKey(e.key())) {
                out.put(e.key(), printValue(e));
            }
        }
        return out;
    }

    /** The value of {@code entry}: as set, else the default of the configured {@code preset}. */
    @SuppressWarnings("unchecked")
    public <T> T get(ConfigEntry<T> entry) {
        Object v = values.get(entry.key());
        if (v != null) {
            return v instanceof double[] a ? (T) a.clone() : (T) v;
        }
        if (entry == MetaAdamWConf.PRESET) {
            return entry.defaultValue();
        }
        return MetaAdamWConf.presetDefault(get(MetaAdamWConf.PRESET), entry);
    }

    /** Every key with its resolved value as a string (for provenance and for shipping to executors). */
    public Map<String, String> toStringMap() {
        Map<String, String> out = new TreeMap<>();
        for (ConfigEntry<?> e : MetaAdamWConf.entries()) {
            out.put(e.key(), printValue(e));
        }
        return out;
    }

    private <T> String printValue(ConfigEntry<T> e) {
        return e.print(get(e));
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    // ---- typed getters ----
    public double learningRate() { return get(MetaAdamWConf.LEARNING_RATE); }
    public double beta1() { return get(MetaAdamWConf.BETA1); }
    public double beta2() { return get(MetaAdamWConf.BETA2); }
    public double epsilon() { return get(MetaAdamWConf.EPSILON); }
    public double weightDecay() { return get(MetaAdamWConf.WEIGHT_DECAY); }
    public boolean decayBiases() { return get(MetaAdamWConf.DECAY_BIASES); }
    public String preset() { return get(MetaAdamWConf.PRESET); }
    /** True for {@code multipliers=log}, false for the paper's sigmoid map. */
    public boolean logMultipliers() { return get(MetaAdamWConf.MULTIPLIERS).equals("log"); }
    public double alphaMax() { return get(MetaAdamWConf.ALPHA_MAX); }
    public double alphaMin() { return get(MetaAdamWConf.ALPHA_MIN); }
    public double betaMax() { return get(MetaAdamWConf.BETA_MAX); }
    public double metaScaleLearningRate() { return get(MetaAdamWConf.META_SCALE_LEARNING_RATE); }
    /** {@code meta.centerGroups} with log multipliers: the module's per-group log multipliers are centred on their parameter-weighted mean. */
    public boolean centerGroups() { return get(MetaAdamWConf.META_CENTER_GROUPS) && logMultipliers(); }
    public double metaScaleFallMax() { return get(MetaAdamWConf.META_SCALE_FALL_MAX); }
    public double metaScaleFloor() { return get(MetaAdamWConf.META_SCALE_FLOOR); }
    /** {@code meta.scaleRule} cosine, adaptive or sign: ρ follows the bounded cosine signal instead of an Adam step. */
    public boolean cosineScaleRule() { return !get(MetaAdamWConf.META_SCALE_RULE).equals("adam"); }
    /** {@code meta.scaleRule=adaptive} or {@code sign}: the cosine rule with a sign-adapted step size. */
    public boolean adaptiveScaleStep() {
        String rule = get(MetaAdamWConf.META_SCALE_RULE);
        return rule.equals("adaptive") || rule.equals("sign");
    }
    /** {@code meta.traceScale=current} or {@code shrink}: the step trace is rescaled to the multipliers of the next round. */
    public boolean rescaledTrace() { return !get(MetaAdamWConf.META_TRACE_SCALE).equals("applied"); }
    /** {@code meta.traceScale=shrink}: the trace's rescaling only ever shortens earlier steps (factor at most 1). */
    public boolean shrinkOnlyTrace() { return get(MetaAdamWConf.META_TRACE_SCALE).equals("shrink"); }
    /** {@code meta.scaleSignal=balanced}: ρ's cosine signal is the mean of the step's and the trace's cosines. */
    public boolean balancedScaleSignal() { return get(MetaAdamWConf.META_SCALE_SIGNAL).equals("balanced"); }
    /** {@code meta.scaleRule=sign}: ρ moves by the adapted step times the sign of the cosine signal, not times the signal. */
    public boolean signScaleRule() { return get(MetaAdamWConf.META_SCALE_RULE).equals("sign"); }
    /**
     * Whether a global scale is learned with the cosine rule (a scale rate &gt; 0, which validation ties to log
     * multipliers, and {@code meta.scaleRule} cosine, adaptive or sign): only then is the trace's norm needed.
     */
    public boolean cosineGlobalScale() { return metaScaleLearningRate() > 0 && cosineScaleRule(); }
    /** μ of the step trace in the loss-decrease hypergradient, in [0, 1); 0 = off. */
    /** Storage level name of the cached training data ({@code StorageLevel.fromString} accepts it). */
    public String storageLevel() { return get(MetaAdamWConf.STORAGE_LEVEL); }
    /** The checkpoint directory, or empty for none. */
    public String checkpointDir() { return get(MetaAdamWConf.CHECKPOINT_DIR); }
    public int checkpointInterval() { return get(MetaAdamWConf.CHECKPOINT_INTERVAL); }
    public int checkpointKeep() { return get(MetaAdamWConf.CHECKPOINT_KEEP); }
    public double metaTraceDecay() { return get(MetaAdamWConf.META_TRACE_DECAY); }
    /** True for the paper's alignment term (maximal correlation), false for the orthogonality target. */
    public boolean paperAlignment() { return get(MetaAdamWConf.META_ALIGNMENT).equals("paper"); }
    public double hypergradientRate() { return get(MetaAdamWConf.HYPERGRADIENT_RATE); }
    /**
     * True when a meta round's signals come from the gradient of its last local step, with no validation
     * passes and no held-out minibatches: {@code meta.signal=training}, or {@code auto} with the loss-decrease
     * term alone ({@code meta.terms=lossDecrease}) and {@code meta.stepEstimate=worker}; {@code auto} with
     * the alignment or gap term, or the averaged-step estimate, makes validation passes.
     */
    public boolean trainingSignals() {
        String signal = get(MetaAdamWConf.META_SIGNAL);
        if (signal.equals("auto")) {
            // training signals where they are defined: the loss-decrease term alone, each worker's own step
            boolean[] t = metaTerms();
            return !t[0] && t[1] && !t[2] && !averagedStepEstimate();
        }
        return signal.equals("training");
    }
    /** True for {@code meta.stepEstimate=averaged}: the driver measures ‖Δ̄_g‖² and controllers use the averaged-step slope. */
    public boolean averagedStepEstimate() { return get(MetaAdamWConf.META_STEP_ESTIMATE).equals("averaged"); }
    public double alphaRange() { return get(MetaAdamWConf.ALPHA_RANGE); }
    public double betaRange() { return get(MetaAdamWConf.BETA_RANGE); }
    /** {@code grouping}: fine, layer or single ({@code GroupingStrategy.of(config)} makes the strategy). */
    public String groupingName() { return get(MetaAdamWConf.GROUPING); }
    /** {@code features}: basic, basic+ or enhanced ({@code FeatureSet.Version.of(config)} makes the version). */
    public String features() { return get(MetaAdamWConf.FEATURES); }
    /** F, the number of per-group feature columns of {@code features}. */
    public int featureColumns() { return MetaAdamWConf.featureColumns(features()); }
    public boolean paperFeatureMode() { return get(MetaAdamWConf.FEATURE_MODE).equals("paper"); }
    public int moduleDim() { return get(MetaAdamWConf.MODULE_DIM); }
    /** The module width d: {@code module.dim}, or F when it is 0. */
    public int moduleWidth() { return moduleDim() == 0 ? featureColumns() : moduleDim(); }
    public int moduleLayers() { return get(MetaAdamWConf.MODULE_LAYERS); }
    public int moduleHeads() { return get(MetaAdamWConf.MODULE_HEADS); }
    public int moduleFfn() { return get(MetaAdamWConf.MODULE_FFN); }
    /** {@code module.activation}: relu or gelu. */
    public String moduleActivation() { return get(MetaAdamWConf.MODULE_ACTIVATION); }
    /** {@code meta.precision}: double, float or auto (the arithmetic of the module's attention on the driver). */
    public String metaPrecision() { return get(MetaAdamWConf.META_PRECISION); }
    public double metaLearningRate() { return get(MetaAdamWConf.META_LEARNING_RATE); }
    public double metaL2() { return get(MetaAdamWConf.META_L2); }
    public double huwLearningRate() { return get(MetaAdamWConf.HUW_LEARNING_RATE); }
    public double[] priorities() { return get(MetaAdamWConf.PRIORITIES).clone(); }
    public boolean paperHuw() { return get(MetaAdamWConf.HUW_MODE).equals("paper"); }
    /**
     * Rounds between meta-steps: {@code meta.interval}, or more when {@code meta.costBudget} needs it
     * (⌈c·f / (K · budget)⌉, c = 2 gradient evaluations per meta round when gv0 is read, else 4/3, f =
     * {@code meta.validationFraction}).
     */
    public int metaInterval() {
        int interval = get(MetaAdamWConf.META_INTERVAL);
        double budget = get(MetaAdamWConf.META_COST_BUDGET);
        if (budget <= 0 || trainingSignals()) {
            return interval;   // training signals cost no gradient passes: nothing to budget
        }
        boolean startGradient = controller().equals("metaadamw") ? metaObjectiveReadsStartGradient() : averagedStepEstimate();
        double passes = (startGradient ? 2.0 : 4.0 / 3.0) * metaValidationFraction();
        double rounds = Math.ceil(passes / (averagingFrequency() * budget) - 1e-9);
        return (int) Math.max(interval, Math.min(Integer.MAX_VALUE, rounds));
    }
    /**
     * Whether the MetaAdamW meta-objective reads gv0, the validation gradient at θ_r: the alignment term is on,
     * or the averaged-step estimate is. Otherwise its first validation pass is a forward pass only.
     */
    public boolean metaObjectiveReadsStartGradient() { return metaTerms()[0] || averagedStepEstimate(); }
    /** {@code meta.validationFraction}: the share of a validation minibatch's rows the validation passes use, in (0, 1]. */
    public double metaValidationFraction() { return get(MetaAdamWConf.META_VALIDATION_FRACTION); }
    /** {@code meta.costBudget} (0 = off). */
    public double metaCostBudget() { return get(MetaAdamWConf.META_COST_BUDGET); }
    /**
     * κ of the cosine global-scale rule per meta-step: {@code meta.scaleLearningRate}, times the factor by which
     * {@code meta.costBudget} lengthened the meta interval beyond {@code meta.interval}, so that ρ can move as far
     * per round as without the budget.
     */
    public double metaScaleStep() {
        return metaScaleLearningRate() * metaInterval() / get(MetaAdamWConf.META_INTERVAL);
    }
    public int averagingFrequency() { return get(MetaAdamWConf.AVERAGING_FREQUENCY); }
    public long seed() { return get(MetaAdamWConf.SEED); }
    public String controller() { return get(MetaAdamWConf.CONTROLLER); }
    public int maxNonFiniteRounds() { return get(MetaAdamWConf.MAX_NON_FINITE_ROUNDS); }
    public int validationHoldout() { return get(MetaAdamWConf.VALIDATION_HOLDOUT); }
    /** {@code shuffle}: train on each worker's minibatches in a seeded order ({@code org.metaadamw.train.MinibatchOrder}). */
    public boolean shuffle() { return get(MetaAdamWConf.SHUFFLE); }
    public int numWorkers() { return get(MetaAdamWConf.NUM_WORKERS); }

    /** Which meta-loss terms train the module, in the order alignment, loss decrease, gap. */
    public boolean[] metaTerms() {
        var set = java.util.Arrays.stream(get(MetaAdamWConf.META_TERMS).split(",")).map(String::trim).toList();
        return new boolean[]{set.contains("alignment"), set.contains("lossDecrease"), set.contains("gap")};
    }
    public int metricsMaxGroups() { return get(MetaAdamWConf.METRICS_MAX_GROUPS); }
    /** {@code l3rs.params}: the path of the meta-trained L3RS parameter file, or empty. */
    public String l3rsParams() { return get(MetaAdamWConf.L3RS_PARAMS); }

    /** {@code lstm.params}: the path of the meta-trained LSTM optimizer parameter file, or empty. */
    public String lstmParams() { return get(MetaAdamWConf.LSTM_PARAMS); }
    /** {@code mada.initial}: adam, avgrad, yogi, adan or lion. */
    public String madaInitial() { return get(MetaAdamWConf.MADA_INITIAL); }
    /** {@code mada.coefficients} = group: one set of MADA coefficients per parameter group (else one global set). */
    public boolean madaPerGroup() { return get(MetaAdamWConf.MADA_COEFFICIENTS).equals("group"); }
    /** The six {@code mada.learningRate.*} in the order β1, β2, β3, ρ, c, γ; a new array. */
    public double[] madaLearningRates() {
        return new double[]{get(MetaAdamWConf.MADA_LEARNING_RATE_BETA1), get(MetaAdamWConf.MADA_LEARNING_RATE_BETA2),
                get(MetaAdamWConf.MADA_LEARNING_RATE_BETA3), get(MetaAdamWConf.MADA_LEARNING_RATE_RHO),
                get(MetaAdamWConf.MADA_LEARNING_RATE_C), get(MetaAdamWConf.MADA_LEARNING_RATE_GAMMA)};
    }
    public double madaLionBeta1() { return get(MetaAdamWConf.MADA_LION_BETA1); }
    public double madaLionBeta2() { return get(MetaAdamWConf.MADA_LION_BETA2); }


    @Override
    public boolean equals(Object o) {
        return o instanceof MetaAdamWConfig c && toStringMap().equals(c.toStringMap());
    }

    @Override
    public int hashCode() {
        return toStringMap().hashCode();
    }

    @Override
    public String toString() {
        return "MetaAdamWConfig" + toStringMap();
    }

    /** Builder; every setter validates at once. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public <T> Builder set(ConfigEntry<T> entry, T value) {
            values.put(entry.key(), entry.validate(value instanceof double[] a ? (T) a.clone() : value));
            return this;
        }

        /** Sets a key from its string form (as in a Spark configuration). */
        public Builder setString(String key, String value) {
            return setParsed(MetaAdamWConf.entry(key), value);
        }

        private <T> Builder setParsed(ConfigEntry<T> entry, String value) {
            values.put(entry.key(), entry.parse(value));
            return this;
        }

        public Builder learningRate(double v) { return set(MetaAdamWConf.LEARNING_RATE, v); }
        public Builder beta1(double v) { return set(MetaAdamWConf.BETA1, v); }
        public Builder beta2(double v) { return set(MetaAdamWConf.BETA2, v); }
        public Builder epsilon(double v) { return set(MetaAdamWConf.EPSILON, v); }
        public Builder weightDecay(double v) { return set(MetaAdamWConf.WEIGHT_DECAY, v); }
        public Builder decayBiases(boolean v) { return set(MetaAdamWConf.DECAY_BIASES, v); }
        public Builder preset(String v) { return setString(MetaAdamWConf.PRESET.key(), v); }
        public Builder multipliers(String v) { return setString(MetaAdamWConf.MULTIPLIERS.key(), v); }
        public Builder alphaMax(double v) { return set(MetaAdamWConf.ALPHA_MAX, v); }
        public Builder alphaMin(double v) { return set(MetaAdamWConf.ALPHA_MIN, v); }
        public Builder betaMax(double v) { return set(MetaAdamWConf.BETA_MAX, v); }
        public Builder metaScaleLearningRate(double v) { return set(MetaAdamWConf.META_SCALE_LEARNING_RATE, v); }
        public Builder metaScaleFloor(double v) { return set(MetaAdamWConf.META_SCALE_FLOOR, v); }
        public Builder metaScaleFallMax(double v) { return set(MetaAdamWConf.META_SCALE_FALL_MAX, v); }
        public Builder metaScaleRule(String v) { return set(MetaAdamWConf.META_SCALE_RULE, v); }
        public Builder metaTraceDecay(double v) { return set(MetaAdamWConf.META_TRACE_DECAY, v); }
        public Builder metaAlignment(String v) { return setString(MetaAdamWConf.META_ALIGNMENT.key(), v); }
        public Builder hypergradientRate(double v) { return set(MetaAdamWConf.HYPERGRADIENT_RATE, v); }
        public Builder stepEstimate(String v) { return setString(MetaAdamWConf.META_STEP_ESTIMATE.key(), v); }
        public Builder metaSignal(String v) { return setString(MetaAdamWConf.META_SIGNAL.key(), v); }
        public Builder alphaRange(double v) { return set(MetaAdamWConf.ALPHA_RANGE, v); }
        public Builder betaRange(double v) { return set(MetaAdamWConf.BETA_RANGE, v); }
        public Builder grouping(String v) { return setString(MetaAdamWConf.GROUPING.key(), v); }
        public Builder features(String v) { return setString(MetaAdamWConf.FEATURES.key(), v); }
        public Builder featureMode(String v) { return setString(MetaAdamWConf.FEATURE_MODE.key(), v); }
        public Builder module(int dim, int layers, int heads, int ffn) {
            set(MetaAdamWConf.MODULE_DIM, dim);
            set(MetaAdamWConf.MODULE_LAYERS, layers);
            set(MetaAdamWConf.MODULE_HEADS, heads);
            return set(MetaAdamWConf.MODULE_FFN, ffn);
        }
        public Builder metaLearningRate(double v) { return set(MetaAdamWConf.META_LEARNING_RATE, v); }
        public Builder metaL2(double v) { return set(MetaAdamWConf.META_L2, v); }
        public Builder huwLearningRate(double v) { return set(MetaAdamWConf.HUW_LEARNING_RATE, v); }
        public Builder priorities(double alignment, double lossDecrease, double gap) {
            return set(MetaAdamWConf.PRIORITIES, new double[]{alignment, lossDecrease, gap});
        }
        public Builder huwMode(String v) { return setString(MetaAdamWConf.HUW_MODE.key(), v); }
        public Builder metaInterval(int v) { return set(MetaAdamWConf.META_INTERVAL, v); }
        public Builder metaPrecision(String v) { return setString(MetaAdamWConf.META_PRECISION.key(), v); }
        public Builder metaCostBudget(double v) { return set(MetaAdamWConf.META_COST_BUDGET, v); }
        public Builder metaValidationFraction(double v) { return set(MetaAdamWConf.META_VALIDATION_FRACTION, v); }
        public Builder averagingFrequency(int v) { return set(MetaAdamWConf.AVERAGING_FREQUENCY, v); }
        public Builder seed(long v) { return set(MetaAdamWConf.SEED, v); }
        public Builder controller(String v) { return setString(MetaAdamWConf.CONTROLLER.key(), v); }
        public Builder maxNonFiniteRounds(int v) { return set(MetaAdamWConf.MAX_NON_FINITE_ROUNDS, v); }
        public Builder numWorkers(int v) { return set(MetaAdamWConf.NUM_WORKERS, v); }
        public Builder metaTerms(String v) { return setString(MetaAdamWConf.META_TERMS.key(), v); }
        public Builder storageLevel(String v) { return setString(MetaAdamWConf.STORAGE_LEVEL.key(), v); }
        public Builder checkpoint(String dir, int interval, int keep) {
            set(MetaAdamWConf.CHECKPOINT_DIR, dir);
            set(MetaAdamWConf.CHECKPOINT_INTERVAL, interval);
            return set(MetaAdamWConf.CHECKPOINT_KEEP, keep);
        }
        public Builder validationHoldout(int v) { return set(MetaAdamWConf.VALIDATION_HOLDOUT, v); }
        /** {@code shuffle}: seeded minibatch order (true, the default) or input order (false). */
        public Builder shuffle(boolean v) { return set(MetaAdamWConf.SHUFFLE, v); }
        /** {@code l3rs.params}: the meta-trained L3RS parameter file (any Hadoop path). */
        public Builder l3rsParams(String path) { return setString(MetaAdamWConf.L3RS_PARAMS.key(), path); }

        /** {@code lstm.params}: the meta-trained LSTM optimizer parameter file (any Hadoop path). */
        public Builder lstmParams(String path) { return setString(MetaAdamWConf.LSTM_PARAMS.key(), path); }
        public Builder madaInitial(String v) { return setString(MetaAdamWConf.MADA_INITIAL.key(), v); }
        public Builder madaCoefficients(String v) { return setString(MetaAdamWConf.MADA_COEFFICIENTS.key(), v); }
        /** The six {@code mada.learningRate.*}, in the order β1, β2, β3, ρ, c, γ. */
        public Builder madaLearningRates(double beta1, double beta2, double beta3, double rho, double c, double gamma) {
            set(MetaAdamWConf.MADA_LEARNING_RATE_BETA1, beta1);
            set(MetaAdamWConf.MADA_LEARNING_RATE_BETA2, beta2);
            set(MetaAdamWConf.MADA_LEARNING_RATE_BETA3, beta3);
            set(MetaAdamWConf.MADA_LEARNING_RATE_RHO, rho);
            set(MetaAdamWConf.MADA_LEARNING_RATE_C, c);
            return set(MetaAdamWConf.MADA_LEARNING_RATE_GAMMA, gamma);
        }
        public Builder madaLionBetas(double beta1, double beta2) {
            set(MetaAdamWConf.MADA_LION_BETA1, beta1);
            return set(MetaAdamWConf.MADA_LION_BETA2, beta2);
        }

        public MetaAdamWConfig build() {
            return new MetaAdamWConfig(new LinkedHashMap<>(values));
        }
    }
}
