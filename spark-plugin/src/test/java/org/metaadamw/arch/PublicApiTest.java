package org.metaadamw.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's public types, read from the compiled classes: exactly the API below plus the types that
 * are public only because another package of the library uses them, each of which its package-info
 * names. A type that becomes public by accident fails here.
 */
class PublicApiTest {
    /** Package (below org.metaadamw) → public top-level types that are the API. */
    static final Map<String, Set<String>> API = Map.of(
            "config", Set.of("ConfigEntry", "MetaAdamWConf", "MetaAdamWConfig"),
            "grouping", Set.of("GroupingStrategy", "LayerKind", "ParamGroups", "ParamTensor"),
            "l3rs", Set.of("L3rsMetaTrainer", "LstmMetaTrainer"),
            "meta", Set.of("ControllerProvider", "Controllers", "L3rsController", "LstmController", "MetaState", "ModulationController", "ModuleShape"),
            "ml", Set.of("BatchConverter", "MetaAdamWEstimator", "MetaAdamWModel", "Minibatches"),
            "spark", Set.of("DriverMetrics", "MetaAdamWPlugin", "SparkMetaAdamW"),
            "stats", Set.of("FeatureSet", "RoundStatistics", "RoundSummary"),
            "train", Set.of("LocalMetaAdamWTrainer", "MetaAdamWTrainer", "NonFiniteTrainingException", "RoundRecord"),
            "update", Set.of("AdamWState", "L3rsParams", "LstmParams", "Modulation"));

    /** Public for another library package (or Spark's plugin loader), internal by their package-info. */
    static final Map<String, Set<String>> INTERNAL = Map.of(
            "config", Set.of("ConfigReference"),
            "grouping", Set.of("NetworkParams"),
            "l3rs", Set.of(),
            "meta", Set.of("AttentionModule", "HypergradientController", "MetaAdamWController"),
            "ml", Set.of(),
            "spark", Set.of("ExecutorMetrics", "MetaAdamWDriverPlugin", "MetaAdamWExecutorPlugin"),
            "stats", Set.of("StatisticsExtractor"),
            "train", Set.of("CheckpointStore", "Holdout", "MinibatchOrder", "NetModel", "RoundCoordinator", "RoundWorker", "TrainerCheckpoints", "WorkerResult"),
            "update", Set.of("GroupAdamW", "HypergradientSum", "L3rs", "L3rsState", "LearnedParams", "Lstm", "LstmState", "Mada", "MadaCoefficients", "MadaState", "UpdateRule"));

    @Test
    void publicTypesAreTheApiAndTheNamedInternals() throws Exception {
        Path root = Path.of("target/classes/org/metaadamw");
        assertTrue(Files.isDirectory(root), "compiled classes expected in " + root.toAbsolutePath());
        Map<String, Set<String>> found = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$") || name.equals("package-info.class")) {
                    continue;
                }
                String rel = root.relativize(f).toString().replace('/', '.');
                String cls = "org.metaadamw." + rel.substring(0, rel.length() - ".class".length());
                Class<?> k = Class.forName(cls, false, getClass().getClassLoader());
                if (Modifier.isPublic(k.getModifiers())) {
                    String pkg = k.getPackageName().substring("org.metaadamw.".length());
                    found.computeIfAbsent(pkg, p -> new TreeSet<>()).add(k.getSimpleName());
                }
            }
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        for (String p : API.keySet()) {
            Set<String> s = new TreeSet<>(API.get(p));
            s.addAll(INTERNAL.get(p));
            expected.put(p, s);
        }
        assertEquals(expected, found, "public types per package (API ∪ internal); make a new type package-private, or list it here "
                + "and in its package-info");
    }

    @Test
    void everyPublicInternalTypeIsNamedInternalByItsPackageInfo() throws IOException {
        for (var e : INTERNAL.entrySet()) {
            String info = Files.readString(Path.of("src/main/java/org/metaadamw", e.getKey(), "package-info.java"));
            int at = info.toLowerCase(java.util.Locale.ROOT).indexOf("internal");
            for (String t : e.getValue()) {
                assertTrue(at >= 0 && info.indexOf(t, at) > at, e.getKey() + "/package-info.java must name " + t
                        + " after the word 'internal'");
            }
        }
    }
}
