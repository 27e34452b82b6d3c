package org.metaadamw.ml;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.metaadamw.config.ConfigEntry;
import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One Spark ML {@link Param} per {@code spark.metaadamw.*} key of the registry: the same name (without
 * the prefix), type, default, documentation and validation. Nothing here spells a key.
 */
final class RegistryParams {
    private RegistryParams() {
    }

    /** The Param name of a registry entry: its key without {@code spark.metaadamw.}. */
    static String name(ConfigEntry<?> e) {
        return e.key().substring(MetaAdamWConf.PREFIX.length());
    }

    /** Validation that throws the registry's own message (key, value, allowed range). */
    private static final class Check<T> extends AbstractFunction1<T, Object> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final ConfigEntry<T> entry;

        Check(ConfigEntry<T> entry) {
            this.entry = entry;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object apply(T v) {
            if (v instanceof String s) {
                entry.parse(s);
            } else {
                entry.validate(v);
            }
            return Boolean.TRUE;
        }
    }

    /** Creates the Params of {@code owner} (its uid) with the registry's defaults, in registry order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Map<ConfigEntry<?>, Param<?>> create(Params owner) {
        String uid = owner.uid();
        Map<ConfigEntry<?>, Param<?>> out = new LinkedHashMap<>();
        for (ConfigEntry<?> e : MetaAdamWConf.entries()) {
            String doc = e.doc() + " Allowed: " + e.allowed() + ".";
            Object def = e.defaultValue();
            Param<?> p;
            if (def instanceof Double) {
                p = new DoubleParam(uid, name(e), doc, (scala.Function1) new Check<>(e));
            } else if (def instanceof Integer) {
                p = new IntParam(uid, name(e), doc, (scala.Function1) new Check<>(e));
            } else if (def instanceof Long) {
                p = new LongParam(uid, name(e), doc, (scala.Function1) new Check<>(e));
            } else if (def instanceof Boolean) {
                p = new BooleanParam(uid, name(e), doc);
            } else if (def instanceof double[]) {
                p = new DoubleArrayParam(owner, name(e), doc, (scala.Function1) new Check<>(e));
            } else if (def instanceof String) {
                p = new Param<String>(uid, name(e), doc, (scala.Function1) new Check<>(e));
            } else {
                throw new IllegalStateException("no Spark ML Param type for " + e.key() + " (" + e.type() + ")");
            }
            out.put(e, p);
        }
        return out;
    }

    /**
     * The configuration of {@code owner}'s explicitly set registry Params (as strings), ready to be
     * laid over the Spark configuration: params that were not set keep the SparkConf value or the default.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static MetaAdamWConfig explicitConfig(Params owner, Map<ConfigEntry<?>, Param<?>> params) {
        MetaAdamWConfig.Builder b = MetaAdamWConfig.builder();
        for (Map.Entry<ConfigEntry<?>, Param<?>> kv : params.entrySet()) {
            Param p = kv.getValue();
            if (owner.isSet(p)) {
                ConfigEntry e = kv.getKey();
                Object v = owner.getOrDefault(p);
                if (v instanceof String str) {
                    b.setString(e.key(), str);
                } else {
                    b.set(e, v);
                }
            }
        }
        return b.build();
    }

    static List<Param<?>> all(Map<ConfigEntry<?>, Param<?>> params) {
        return new ArrayList<>(params.values());
    }
}
