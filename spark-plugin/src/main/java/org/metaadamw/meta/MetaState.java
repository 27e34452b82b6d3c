package org.metaadamw.meta;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The driver's meta-state: attention weights ψ, meta-optimizer state, HUW log-variances and their
 * optimizer state, the global log step scale ρ and its optimizer state, what was last handed out (so that
 * a restored controller takes the same next meta-step as the one that was saved), with provenance
 * (resolved configuration, group names, format version). Saved as JSON; {@link #load} refuses another
 * format version.
 *
 * @param handout the modulation last handed out and the module input it came from; null when the
 *                controller had not run a forward pass since its start or the last rollback
 * @param scaleStep the current step size of ρ's cosine rule ({@code meta.scaleRule=adaptive} changes it; 0 in
 *                  format 3, which did not have it: the configured step is used)
 * @param scaleSignal the cosine signal of the last meta-step (what the adaptive rule compares the next one with)
 */
public record MetaState(int formatVersion, Map<String, String> config, ModuleShape shape, double[] moduleWeights,
                        Adam.State metaAdam, double[] huwLogVariances, Adam.State huwAdam, double scale,
                        double scaleMax, Adam.State scaleAdam, long metaSteps, long round, List<String> groups,
                        Handout handout, double scaleStep, double scaleSignal) implements Serializable {

    /**
     * 2: adds the global log step scale ρ, its running maximum and its optimizer state. 3: adds the handout.
     * 4: adds the cosine rule's step size and last signal; format 3 is still read (as the state of a fixed step).
     */
    public static final int FORMAT_VERSION = 4;

    /**
     * The last modulation handed out (α, β, λ1, λ2 per group), the ρ it used, the groups excluded for
     * non-finite statistics, and the module's input tokens of that forward pass (G×F).
     */
    public record Handout(double[][] tokens, double rho, double[] alpha, double[] beta, double[] lambda1, double[] lambda2,
                          boolean[] excluded) implements Serializable {
        @Override
        public boolean equals(Object o) {
            return o instanceof Handout h && Arrays.deepEquals(tokens, h.tokens) && Double.compare(rho, h.rho) == 0
                    && Arrays.equals(alpha, h.alpha) && Arrays.equals(beta, h.beta) && Arrays.equals(lambda1, h.lambda1)
                    && Arrays.equals(lambda2, h.lambda2) && Arrays.equals(excluded, h.excluded);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(tokens);
        }
    }
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    void checkCompatible(ModuleShape expected, List<String> groupNames, int numWeights) {
        if (formatVersion != FORMAT_VERSION && formatVersion != 3) {
            throw new IllegalArgumentException("meta-state format version " + formatVersion + " is not supported (expected 3 or "
                    + FORMAT_VERSION + ")");
        }
        if (!Double.isFinite(scaleStep) || scaleStep < 0 || !Double.isFinite(scaleSignal) || Math.abs(scaleSignal) > 1) {
            throw new IllegalArgumentException("meta-state scale step " + scaleStep + " / signal " + scaleSignal
                    + ": expected a finite step >= 0 and a signal in [-1, 1]");
        }
        if (!shape.equals(expected)) {
            throw new IllegalArgumentException("meta-state module shape " + shape + " does not match " + expected);
        }
        if (!groups.equals(groupNames)) {
            throw new IllegalArgumentException("meta-state groups " + groups + " do not match the network's " + groupNames);
        }
        // everything is checked before anything is applied: a bad state changes nothing
        int w = moduleWeights == null ? -1 : moduleWeights.length;
        if (w != numWeights) {
            throw new IllegalArgumentException("meta-state holds " + w + " module weights, the module has " + numWeights);
        }
        finite("module weights", moduleWeights);
        adamState("the module's Adam state", metaAdam, w);
        adamState("the scale's Adam state", scaleAdam, 1);
        if (huwLogVariances == null || huwLogVariances.length != MetaObjective.TERMS) {
            throw new IllegalArgumentException("meta-state holds " + (huwLogVariances == null ? 0 : huwLogVariances.length)
                    + " HUW log-variances, expected " + MetaObjective.TERMS);
        }
        finite("HUW log-variances", huwLogVariances);
        adamState("the HUW Adam state", huwAdam, MetaObjective.TERMS);
        if (!Double.isFinite(scale) || !Double.isFinite(scaleMax)) {
            throw new IllegalArgumentException("meta-state scale ρ = " + scale + ", running maximum " + scaleMax + ": not finite");
        }
        if (handout != null) {
            int G = groupNames.size();
            if (handout.tokens() == null || handout.tokens().length != G || handout.alpha().length != G || handout.beta().length != G
                    || handout.lambda1().length != G || handout.lambda2().length != G || handout.excluded().length != G) {
                throw new IllegalArgumentException("meta-state handout does not have " + G + " groups");
            }
            for (double[] t : handout.tokens()) {
                if (t.length != expected.inputFeatures()) {
                    throw new IllegalArgumentException("meta-state handout tokens have " + t.length + " features, the module reads "
                            + expected.inputFeatures());
                }
                finite("handout tokens", t);
            }
        }
    }

    private static void finite(String what, double[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i])) {
                throw new IllegalArgumentException("meta-state " + what + ": value " + i + " is " + a[i]);
            }
        }
    }

    private static void adamState(String what, Adam.State s, int n) {
        if (s == null || s.m() == null || s.v() == null || s.m().length != n || s.v().length != n) {
            throw new IllegalArgumentException("meta-state: " + what + " does not have " + n + " values");
        }
        finite(what + " (m)", s.m());
        finite(what + " (v)", s.v());
    }

    /** Writes the state as JSON, atomically (a temporary file renamed over the target). */
    public void save(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), this);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The state as JSON text (the format of {@link #save}). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("meta-state cannot be written as JSON", e);
        }
    }

    /**
     * Reads the JSON of {@link #toJson()}.
     *
     * @param source where the text came from, named in errors
     */
    public static MetaState fromJson(String json, String source) throws IOException {
        MetaState s;
        try {
            s = JSON.readValue(json, MetaState.class);
        } catch (IOException e) {
            throw new IOException("cannot read meta-state " + source + ": " + e.getMessage(), e);
        }
        if (s.formatVersion() != FORMAT_VERSION) {
            throw new IOException("meta-state " + source + " has format version " + s.formatVersion() + ", expected " + FORMAT_VERSION);
        }
        return s;
    }

    public static MetaState load(Path file) throws IOException {
        MetaState s;
        try {
            s = JSON.readValue(file.toFile(), MetaState.class);
        } catch (IOException e) {
            throw new IOException("cannot read meta-state " + file + ": " + e.getMessage(), e);
        }
        if (s.formatVersion() != FORMAT_VERSION) {
            throw new IOException("meta-state " + file + " has format version " + s.formatVersion() + ", expected " + FORMAT_VERSION);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetaState m && formatVersion == m.formatVersion && config.equals(m.config)
                && shape.equals(m.shape) && Arrays.equals(moduleWeights, m.moduleWeights)
                && Arrays.equals(huwLogVariances, m.huwLogVariances) && Double.compare(scale, m.scale) == 0
                && Double.compare(scaleMax, m.scaleMax) == 0
                && metaSteps == m.metaSteps && round == m.round
                && groups.equals(m.groups) && java.util.Objects.equals(handout, m.handout);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(moduleWeights);
    }
}
