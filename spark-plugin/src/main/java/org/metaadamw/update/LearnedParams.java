package org.metaadamw.update;

import java.io.Serializable;
import java.util.Map;

/**
 * The meta-parameters φ of a learned update rule that natural evolution strategies perturb as one flat
 * vector ({@link L3rsParams} for L3RS, {@link LstmParams} for the coordinatewise LSTM): the shape and
 * the fixed hyper-parameters stay, only the values of φ change ({@link #withPhi}).
 *
 * <p>Implementations are immutable, serializable and thread-safe.
 */
public interface LearnedParams extends Serializable {
    /** A copy of the flat φ. */
    double[] phi();

    /** The length of φ. */
    int size();

    /** Same shape and hyper-parameters, φ replaced by {@code newPhi} (all finite, {@link #size} values), with {@code provenance}. */
    LearnedParams withPhi(double[] newPhi, Map<String, String> provenance);

    /** The update rule the workers run with this φ. */
    UpdateRule rule();

    /** The JSON form, read back bit for bit by the rule's {@code fromJson}. */
    String toJson();
}
