package org.metaadamw.meta;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which arithmetic the attention module's attention runs in ({@code spark.metaadamw.meta.precision}):
 * {@code double} (the default: every product in double precision), {@code float} (the attention's G² part,
 * scores, softmax and the products with the values, forward and backward, in float on the Vector API; the
 * rest stays double) or {@code auto} (float when it is available and there are at least {@value #AUTO_MIN_GROUPS}
 * groups, else double). The float path needs the
 * incubating module {@code jdk.incubator.vector} in the boot layer ({@code --add-modules
 * jdk.incubator.vector} on the driver's JVM); without it {@code float} falls back to double with a warning
 * and {@code auto} silently. {@link VectorFloatAttention}, the only class that references the module, is
 * loaded by reflection and only after the module was found.
 *
 * <p>Why {@code auto} leaves small group counts in double: the Vector API is fast only once C2 has compiled the
 * kernels; until then every vector is an object and a step is slower than the double one (measured at G = 8: 13 ms
 * and 1.1 MB a call at first, 0 B only after about 6,000 calls; the driver makes one call a round). At G ≥ 128 each
 * call runs loops long enough to be compiled within the first calls, and the G² attention is most of the step.
 */
final class AttentionPrecision {
    private static final Logger LOG = LoggerFactory.getLogger(AttentionPrecision.class);
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** {@code auto} picks float from this many groups on. */
    static final int AUTO_MIN_GROUPS = 128;
    private static final String VECTOR_KERNEL = "org.metaadamw.meta.VectorFloatAttention";

    private AttentionPrecision() {
    }

    /** Whether {@code jdk.incubator.vector} is in the boot layer of this JVM. */
    static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** The float kernel for {@code precision} (double, float or auto) at G = {@code groups} in this JVM, or null for the double path. */
    static FloatAttention resolve(String precision, int groups) {
        return resolve(precision, groups, vectorModulePresent());
    }

    /** {@link #resolve(String, int)} with the module's presence given, so that its absence can be tested in any JVM. */
    static FloatAttention resolve(String precision, int groups, boolean modulePresent) {
        switch (precision) {
            case "double":
                return null;
            case "float":
            case "auto":
                if (precision.equals("auto") && groups < AUTO_MIN_GROUPS) {
                    return null;
                }
                if (!modulePresent) {
                    if (precision.equals("float")) {
                        LOG.warn("meta.precision=float needs the module {} (--add-modules {} on the driver); "
                                + "the attention module runs in double", VECTOR_MODULE, VECTOR_MODULE);
                    }
                    return null;
                }
                return load();
            default:
                throw new IllegalArgumentException("precision must be double, float or auto, got " + precision);
        }
    }

    /** A new vector kernel; only call when {@link #vectorModulePresent()}. */
    static FloatAttention load() {
        try {
            return (FloatAttention) Class.forName(VECTOR_KERNEL).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warn("the Vector API kernel of the attention module could not be loaded ({}); it runs in double", e.toString());
            return null;
        }
    }
}
