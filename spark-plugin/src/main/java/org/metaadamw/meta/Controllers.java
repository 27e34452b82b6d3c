package org.metaadamw.meta;

import org.metaadamw.config.MetaAdamWConf;
import org.metaadamw.config.MetaAdamWConfig;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Creates the controller named by {@code spark.metaadamw.controller}: a built-in one or one a
 * {@link ControllerProvider} on the class path adds. All are found by {@link ServiceLoader}; the built-in
 * providers below are public only because {@code ServiceLoader} instantiates them, and are not API.
 * Stateless; each call looks the providers up again, so a jar added to the context class loader later is seen.
 */
public final class Controllers {
    private Controllers() {
    }

    /** The built-in controllers' names; each is listed in this library's own {@code META-INF/services} file. */
    static final List<String> BUILT_IN = List.of("adamw", "hypergradient", "l3rs", "lstm", "mada", "metaadamw", "random");

    /**
     * The providers by name, all found by {@link ServiceLoader}: through the thread's context class loader (a jar
     * given to spark-submit {@code --jars}), then through this library's own loader, which lists the built-in ones
     * in {@code META-INF/services/org.metaadamw.meta.ControllerProvider} like any other jar.
     *
     * @throws IllegalStateException when a provider cannot be loaded, two providers share a name, a name is invalid, or
     *                               the built-in ones are missing (a repackaged jar that dropped the service file)
     */
    static Map<String, ControllerProvider> providers() {
        Map<String, ControllerProvider> byName = new TreeMap<>();
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(Controllers.class.getClassLoader());
        Set<String> seen = new HashSet<>();
        try {
            for (ClassLoader loader : loaders) {
                for (ControllerProvider p : ServiceLoader.load(ControllerProvider.class, loader)) {
                    if (seen.add(p.getClass().getName())) {
                        add(byName, p);
                    }
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("a controller provider on the class path cannot be loaded: " + e.getMessage(), e);
        }
        if (!byName.keySet().containsAll(BUILT_IN)) {
            throw new IllegalStateException("the built-in controllers " + BUILT_IN + " are not all on the class path (found " + byName.keySet()
                    + "): META-INF/services/" + ControllerProvider.class.getName() + " of the metaadamw-spark jar was lost or overwritten "
                    + "when it was repackaged; merge service files when shading (maven-shade's ServicesResourceTransformer, sbt-assembly's "
                    + "MergeStrategy.concat for META-INF/services)");
        }
        return byName;
    }

    private static void add(Map<String, ControllerProvider> byName, ControllerProvider p) {
        if (!p.name().matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalStateException("controller provider " + p.getClass().getName() + " has an invalid name '" + p.name()
                    + "' (lower case, [a-z][a-z0-9_-]*)");
        }
        ControllerProvider clash = byName.putIfAbsent(p.name(), p);
        if (clash != null) {
            throw new IllegalStateException("two controllers are named '" + p.name() + "': " + clash.getClass().getName() + " and "
                    + p.getClass().getName());
        }
    }

    /** The names {@code spark.metaadamw.controller} accepts now, sorted. */
    public static List<String> names() {
        return List.copyOf(providers().keySet());
    }

    /**
     * A new controller of the kind {@code cfg.controller()} names, made from {@code cfg}.
     *
     * @throws IllegalArgumentException naming the key, the closest known name and every known controller, for an unknown name
     */
    public static ModulationController create(MetaAdamWConfig cfg) {
        Map<String, ControllerProvider> known = providers();
        ControllerProvider p = known.get(cfg.controller());
        if (p == null) {
            StringBuilder list = new StringBuilder();
            known.values().forEach(k -> list.append("\n  ").append(k.name()).append(": ").append(k.description()));
            throw new IllegalArgumentException(MetaAdamWConf.CONTROLLER.key() + ": no controller named '" + cfg.controller()
                    + "' (did you mean " + MetaAdamWConf.closest(cfg.controller(), known.keySet()) + "?). Known:" + list);
        }
        return p.create(cfg);
    }

    /** {@code metaadamw}: the attention module's learned multipliers. */
    public static final class MetaAdamW implements ControllerProvider {
        @Override public String name() { return "metaadamw"; }
        @Override public String description() { return "learned per-group multipliers (the attention module and its meta-objective)"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new MetaAdamWController(cfg); }
    }

    /** {@code adamw}: constant multipliers 1. */
    public static final class AdamW implements ControllerProvider {
        @Override public String name() { return "adamw"; }
        @Override public String description() { return "constant multipliers 1: plain AdamW, the meta-off switch"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new AdamWController(); }
    }

    /** {@code hypergradient}: per-group multiplicative hypergradient descent. */
    public static final class Hypergradient implements ControllerProvider {
        @Override public String name() { return "hypergradient"; }
        @Override public String description() { return "per-group multiplicative hypergradient descent (Baydin et al. 2018)"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new HypergradientController(cfg); }
    }

    /** {@code mada}: the workers run MADA; the driver learns its coefficients by hypergradient descent. */
    public static final class Mada implements ControllerProvider {
        @Override public String name() { return "mada"; }
        @Override public String description() { return "the workers run MADA (Ozkara et al. 2024): Adam, AVGrad, Yogi, Adan and Lion interpolated by coefficients learned by hypergradient descent"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new MadaController(cfg); }
    }

    /** {@code l3rs}: the workers run L3RS with a fixed, meta-trained φ read from {@code l3rs.params}. */
    public static final class L3rs implements ControllerProvider {
        @Override public String name() { return "l3rs"; }
        @Override public String description() { return "the workers run L3RS (Kristiansen et al. 2025): per-group learned mix of Adam and SGD with momentum and a learned update scale, with a meta-trained φ from l3rs.params"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new L3rsController(cfg); }
    }

    /** {@code lstm}: the workers run the coordinatewise LSTM optimizer with a fixed, meta-trained φ read from {@code lstm.params}. */
    public static final class Lstm implements ControllerProvider {
        @Override public String name() { return "lstm"; }
        @Override public String description() { return "the workers run the coordinatewise two-layer LSTM optimizer (Andrychowicz et al. 2016), weights shared over coordinates, with a meta-trained φ from lstm.params"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new LstmController(cfg); }
    }

    /** {@code random}: multipliers drawn once from the seed, then frozen. */
    public static final class Random implements ControllerProvider {
        @Override public String name() { return "random"; }
        @Override public String description() { return "an ablation: multipliers drawn once, uniformly in their ranges, then frozen"; }
        @Override public ModulationController create(MetaAdamWConfig cfg) { return new FrozenRandomController(cfg); }
    }
}
