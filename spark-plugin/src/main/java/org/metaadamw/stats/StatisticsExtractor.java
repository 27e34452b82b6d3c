package org.metaadamw.stats;

import org.metaadamw.grouping.ParamGroups;
import org.metaadamw.grouping.ParamTensor;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * Worker-side computation of one round's per-group features (algorithm.md section 3) and
 * meta-signals (section 5) in a single pass over the flattened vectors.
 *
 * <p>Stateless apart from its immutable grouping; thread-safe.
 */
public final class StatisticsExtractor {
    private final ParamGroups groups;
    private final FeatureSet.Version version;

    public StatisticsExtractor(ParamGroups groups, FeatureSet.Version version) {
        this.groups = groups;
        this.version = version;
    }

    public int columns() {
        return version.columns();
    }

    /**
     * Everything a worker has at the end of its local steps. All vectors are flat, contiguous and
     * as long as the network's parameter vector.
     *
     * @param thetaStart   θ_r, the broadcast parameters
     * @param thetaEnd     θ_end, after the K local steps
     * @param gradLast     gtK, the (minibatch-averaged) gradient of the last local step
     * @param m            Adam first moment after the local steps
     * @param v            Adam second moment after the local steps
     * @param gv0          ∇L_val(θ_r), or null when this round has no validation passes
     * @param gv1          ∇L_val(θ_end), or null likewise
     * @param decayCoefficient per group: η·α_g·β_g·λ·K, the scale of the weight-decay part of the step
     * @param decayBiases  whether bias tensors were decayed
     * @param timeFraction t/T in [0, 1]
     * @param lossValStart L_val(θ_r) (ignored without validation passes)
     * @param lossValEnd   L_val(θ_end) (ignored without validation passes)
     * @param lossTrain    loss of the last training minibatch
     * @param trace        μ·e, the driver's decayed trace of earlier applied steps ({@code meta.traceDecay}), or null
     * @param thetaSignal  where the meta-signals' step ends, Δ = thetaSignal − θ_r: null for θ_end (validation
     *                     signals); θ_(K−1) for training signals ({@code meta.signal=training}), where gv1 is the
     *                     last local step's gradient
     */
    public record Inputs(INDArray thetaStart, INDArray thetaEnd, INDArray gradLast, INDArray m, INDArray v,
                         INDArray gv0, INDArray gv1, double[] decayCoefficient, boolean decayBiases,
                         double timeFraction, double lossValStart, double lossValEnd, double lossTrain, INDArray trace,
                         INDArray thetaSignal) {

        /** Inputs whose signals' step ends at θ_end (validation signals). */
        public Inputs(INDArray thetaStart, INDArray thetaEnd, INDArray gradLast, INDArray m, INDArray v,
                      INDArray gv0, INDArray gv1, double[] decayCoefficient, boolean decayBiases,
                      double timeFraction, double lossValStart, double lossValEnd, double lossTrain, INDArray trace) {
            this(thetaStart, thetaEnd, gradLast, m, v, gv0, gv1, decayCoefficient, decayBiases, timeFraction,
                    lossValStart, lossValEnd, lossTrain, trace, null);
        }

        /** Inputs without a step trace. */
        public Inputs(INDArray thetaStart, INDArray thetaEnd, INDArray gradLast, INDArray m, INDArray v,
                      INDArray gv0, INDArray gv1, double[] decayCoefficient, boolean decayBiases,
                      double timeFraction, double lossValStart, double lossValEnd, double lossTrain) {
            this(thetaStart, thetaEnd, gradLast, m, v, gv0, gv1, decayCoefficient, decayBiases, timeFraction,
                    lossValStart, lossValEnd, lossTrain, null);
        }
    }

    public RoundStatistics extract(Inputs in) {
        int G = groups.count(), F = version.columns(), S = RoundStatistics.Signal.COUNT;
        boolean meta = in.gv1() != null;   // gv0 may be absent (a controller that does not read it): its signals are 0
        boolean traced = meta && in.trace() != null;
        FlatReader t0 = FlatReader.of(in.thetaStart()), t1 = FlatReader.of(in.thetaEnd()), g = FlatReader.of(in.gradLast()),
                m = FlatReader.of(in.m()), v = FlatReader.of(in.v()), a = in.gv0() == null ? null : FlatReader.of(in.gv0()), b = FlatReader.of(in.gv1()),
                e = traced ? FlatReader.of(in.trace()) : null,
                ts = in.thetaSignal() == null ? t1 : FlatReader.of(in.thetaSignal());
        double[] feat = new double[G * F];
        double[] sig = new double[G * S];
        List<ParamTensor> tensors = groups.tensors();
        for (int grp = 0; grp < G; grp++) {
            double n = 0, gg = 0, mm = 0, pp = 0, gm = 0, vv = 0, gs = 0, ps = 0, ms = 0, gz = 0, pz = 0;
            double[] s = new double[S];
            double c = in.decayCoefficient()[grp];
            for (int ti = 0; ti < tensors.size(); ti++) {
                if (groups.groupOfTensor(ti) != grp) {
                    continue;
                }
                ParamTensor t = tensors.get(ti);
                boolean decayed = c != 0 && (!t.bias() || in.decayBiases());
                long end = t.offset() + t.length();
                for (long i = t.offset(); i < end; i++) {
                    double gi = g.get(i), mi = m.get(i), vi = v.get(i), pi = t1.get(i);
                    gg += gi * gi;
                    mm += mi * mi;
                    pp += pi * pi;
                    gm += gi * mi;
                    vv += vi * vi;
                    gs += gi;
                    ps += pi;
                    ms += mi;
                    if (gi == 0) {
                        gz++;
                    }
                    if (pi == 0) {
                        pz++;
                    }
                    if (meta) {
                        double p0 = t0.get(i), pe = ts == t1 ? pi : ts.get(i), d = pe - p0, dwd = decayed ? -c * 0.5 * (p0 + pe) : 0.0;
                        double a0 = a == null ? 0.0 : a.get(i), b1 = b.get(i);
                        s[0] += b1 * d;
                        s[1] += b1 * dwd;
                        s[2] += gi * d;
                        s[3] += gi * dwd;
                        s[4] += a0 * a0;
                        s[5] += b1 * b1;
                        s[6] += a0 * b1;
                        s[7] += d * d;
                        s[8] += a0 * d;
                        if (traced) {
                            s[9] += b1 * e.get(i);
                        }
                    }
                }
                n += t.length();
            }
            int r = grp * F;
            feat[r + FeatureSet.GRAD_NORM] = Math.sqrt(gg);
            feat[r + FeatureSet.MOMENT_NORM] = Math.sqrt(mm);
            feat[r + FeatureSet.PARAM_NORM] = Math.sqrt(pp);
            double den = Math.sqrt(gg) * Math.sqrt(mm);
            feat[r + FeatureSet.COS_GRAD_MOMENT] = den > 0 ? gm / den : 0.0;
            feat[r + FeatureSet.SECOND_MOMENT_NORM] = Math.sqrt(vv);
            feat[r + FeatureSet.TIME] = in.timeFraction();
            if (F > FeatureSet.GRAD_STD) {
                double gVar = Math.max(0, gg / n - (gs / n) * (gs / n));
                double pVar = Math.max(0, pp / n - (ps / n) * (ps / n));
                double mVar = Math.max(0, mm / n - (ms / n) * (ms / n));
                feat[r + FeatureSet.GRAD_STD] = Math.sqrt(gVar);
                feat[r + FeatureSet.PARAM_STD] = Math.sqrt(pVar);
                feat[r + FeatureSet.MOMENT_STD] = Math.sqrt(mVar);
                if (F > FeatureSet.GRAD_VAR) {
                    feat[r + FeatureSet.GRAD_VAR] = gVar;
                    feat[r + FeatureSet.PARAM_VAR] = pVar;
                    feat[r + FeatureSet.GRAD_SPARSITY] = gz / n;
                    feat[r + FeatureSet.PARAM_SPARSITY] = pz / n;
                    feat[r + FeatureSet.LOG_COUNT] = Math.log(n);
                    feat[r + FeatureSet.BIAS_RATIO] = groups.biasRatio(grp);
                    feat[r + FeatureSet.DEPTH] = groups.depth(grp);
                }
            }
            System.arraycopy(s, 0, sig, grp * S, S);
        }
        return new RoundStatistics(G, F, feat, sig, meta ? in.lossValStart() : 0, meta ? in.lossValEnd() : 0,
                in.lossTrain(), 1, meta ? 1 : 0);
    }

    /**
     * One worker's result for a controller that reads no statistics: zero features and signals, in
     * the shape {@link #extract} gives, and the training loss. No pass over the parameters.
     */
    public RoundStatistics lossesOnly(double lossTrain) {
        int G = groups.count();
        return new RoundStatistics(G, version.columns(), new double[G * version.columns()], new double[G * RoundStatistics.Signal.COUNT],
                0, 0, lossTrain, 1, 0);
    }
}
