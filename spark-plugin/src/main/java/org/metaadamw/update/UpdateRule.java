package org.metaadamw.update;

import java.io.Serializable;
import java.util.Objects;

/**
 * Which update rule the workers run in a round, as a controller declares it
 * ({@code ModulationController.updateRule()}) and the driver sends it with the round's broadcast:
 * <ul>
 *   <li>{@link Kind#ADAMW}: {@link GroupAdamW} with the round's {@link Modulation} (what every
 *       controller but {@code mada} uses; no further fields);</li>
 *   <li>{@link Kind#MADA}: {@link Mada} with the given {@link MadaCoefficients} and Lion betas; the
 *       workers also return the summed one-step hypergradients of the coefficients
 *       ({@link HypergradientSum}) and their state is a {@link MadaState};</li>
 *   <li>{@link Kind#L3RS}: {@link L3rs} with the given meta-parameters φ ({@link L3rsParams}, fixed for
 *       the run); their state is an {@link L3rsState};</li>
 *   <li>{@link Kind#LSTM}: {@link Lstm}, the coordinatewise LSTM optimizer, with the given meta-parameters
 *       ({@link LstmParams}, fixed for the run); their state is an {@link LstmState}.</li>
 * </ul>
 * The kind of a controller does not change during training; the MADA coefficients change every
 * round.
 *
 * <p>Immutable, serializable and thread-safe.
 *
 * @param kind         the rule
 * @param coefficients MADA's coefficients for this round (null for {@link Kind#ADAMW})
 * @param lionBeta1    MADA's Lion direction interpolation βL1, in [0, 1) (NaN for {@link Kind#ADAMW})
 * @param lionBeta2    MADA's Lion momentum decay βL2, in [0, 1) (NaN for {@link Kind#ADAMW})
 * @param l3rs         L3RS's meta-parameters φ (null unless {@link Kind#L3RS})
 * @param lstm         the LSTM rule's meta-parameters φ (null unless {@link Kind#LSTM})
 */
public record UpdateRule(Kind kind, MadaCoefficients coefficients, double lionBeta1, double lionBeta2, L3rsParams l3rs, LstmParams lstm)
        implements Serializable {

    /** The update rules the workers know. */
    public enum Kind {
        /** AdamW with per-group multipliers ({@link GroupAdamW}). */
        ADAMW,
        /** MADA's parameterised optimizer ({@link Mada}). */
        MADA,
        /** L3RS's learned mix of Adam and SGD with momentum ({@link L3rs}). */
        L3RS,
        /** The coordinatewise two-layer LSTM of Andrychowicz et al. 2016 ({@link Lstm}). */
        LSTM
    }

    private static final UpdateRule ADAMW = new UpdateRule(Kind.ADAMW, null, Double.NaN, Double.NaN);

    /** A rule without L3RS parameters (AdamW or MADA). */
    public UpdateRule(Kind kind, MadaCoefficients coefficients, double lionBeta1, double lionBeta2) {
        this(kind, coefficients, lionBeta1, lionBeta2, null, null);
    }

    /** A rule without LSTM parameters. */
    public UpdateRule(Kind kind, MadaCoefficients coefficients, double lionBeta1, double lionBeta2, L3rsParams l3rs) {
        this(kind, coefficients, lionBeta1, lionBeta2, l3rs, null);
    }

    public UpdateRule {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.MADA && coefficients != null) {
            throw new IllegalArgumentException("the " + kind + " update rule takes no MADA coefficients");
        }
        if ((kind == Kind.L3RS) != (l3rs != null)) {
            throw new IllegalArgumentException(kind == Kind.L3RS ? "the L3RS update rule needs its parameters φ"
                    : "the " + kind + " update rule takes no L3RS parameters");
        }
        if ((kind == Kind.LSTM) != (lstm != null)) {
            throw new IllegalArgumentException(kind == Kind.LSTM ? "the LSTM update rule needs its parameters φ"
                    : "the " + kind + " update rule takes no LSTM parameters");
        }
        if (kind == Kind.MADA) {
            Objects.requireNonNull(coefficients, "MADA coefficients");
            if (!(lionBeta1 >= 0 && lionBeta1 < 1) || !(lionBeta2 >= 0 && lionBeta2 < 1)) {
                throw new IllegalArgumentException("Lion betas must be in [0, 1) (got βL1=" + lionBeta1 + ", βL2=" + lionBeta2 + ")");
            }
        }
    }

    /** AdamW with the round's per-group multipliers. */
    public static UpdateRule adamW() {
        return ADAMW;
    }

    /** MADA with {@code coefficients} and the Lion betas βL1, βL2 (each in [0, 1)). */
    public static UpdateRule mada(MadaCoefficients coefficients, double lionBeta1, double lionBeta2) {
        return new UpdateRule(Kind.MADA, coefficients, lionBeta1, lionBeta2);
    }

    /** L3RS with the meta-parameters {@code phi} (fixed for the run). */
    public static UpdateRule l3rs(L3rsParams phi) {
        return new UpdateRule(Kind.L3RS, null, Double.NaN, Double.NaN, phi);
    }

    /** The coordinatewise LSTM with the meta-parameters {@code phi} (fixed for the run). */
    public static UpdateRule lstm(LstmParams phi) {
        return new UpdateRule(Kind.LSTM, null, Double.NaN, Double.NaN, null, phi);
    }

    public boolean isMada() {
        return kind == Kind.MADA;
    }

    public boolean isL3rs() {
        return kind == Kind.L3RS;
    }

    public boolean isLstm() {
        return kind == Kind.LSTM;
    }
}
