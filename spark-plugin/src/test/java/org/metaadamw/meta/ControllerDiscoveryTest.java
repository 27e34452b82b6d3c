package org.metaadamw.meta;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.LocalMetaAdamWTrainer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Controllers are found through ServiceLoader: a provider listed in META-INF/services of another jar
 * (here the test resources) is usable by name with no change to the library, and an unknown name is
 * refused listing the known ones.
 */
class ControllerDiscoveryTest {

    private static INDArray train(String controller, double lr) {
        MultiLayerNetwork net = TestNets.mlp(5, DataType.DOUBLE, lr, 0, false, false);
        MetaAdamWConfig cfg = MetaAdamWConfig.builder().controller(controller).learningRate(lr).weightDecay(1e-2)
                .averagingFrequency(3).build();
        List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
        var trainer = new LocalMetaAdamWTrainer(net, cfg);
        trainer.fit(new ListDataSetIterator<>(data, 1), null, 2);
        assertEquals(controller, trainer.controllerName());
        return net.params().dup();
    }

    @Test
    void aProviderOnTheClassPathIsUsableByName() {
        assertTrue(Controllers.names().containsAll(List.of("adamw", "half-step", "hypergradient", "metaadamw", "random")),
                Controllers.names().toString());
        // α = 0.5 at base rate 2η is AdamW at η: the same parameters, bit for bit
        assertEquals(train("adamw", 1e-3), train("half-step", 2e-3));
    }

    @Test
    void anUnknownControllerIsRefusedListingTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Controllers.create(MetaAdamWConfig.builder().controller("metadamw").build()));
        assertTrue(e.getMessage().startsWith("spark.metaadamw.controller: no controller named 'metadamw' (did you mean metaadamw?)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("half-step: test controller"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().controller("meta adamw").build());
        assertTrue(bad.getMessage().contains("spark.metaadamw.controller"), bad.getMessage());
    }

    @Test
    void theBuiltInControllersComeFromTheLibrarysOwnServiceFile() throws Exception {
        // the library's own file (target/classes), not the test resources' one that adds half-step
        var url = java.util.Collections.list(Controllers.class.getClassLoader().getResources("META-INF/services/" + ControllerProvider.class.getName()))
                .stream().filter(u -> u.getPath().endsWith("/classes/META-INF/services/" + ControllerProvider.class.getName()))
                .findFirst().orElseThrow();
        List<String> listed;
        try (var in = url.openStream()) {
            listed = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>();
        for (String cls : listed) {
            names.add(((ControllerProvider) Class.forName(cls).getConstructor().newInstance()).name());
        }
        assertEquals(new java.util.TreeSet<>(Controllers.BUILT_IN), names);
        assertTrue(Controllers.names().containsAll(Controllers.BUILT_IN), Controllers.names().toString());
    }

    /** A jar repackaged without the library's service file: the lookup names the lost file and the fix. */
    @Test
    void aLostServiceFileIsNamed() throws Exception {
        ClassLoader app = Controllers.class.getClassLoader();
        ClassLoader hiding = new ClassLoader("no-services", app) {
            private final String hidden = "META-INF/services/" + ControllerProvider.class.getName();

            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (!name.startsWith("org.metaadamw.")) {
                    return super.loadClass(name, resolve);
                }
                synchronized (getClassLoadingLock(name)) {
                    Class<?> c = findLoadedClass(name);
                    if (c == null) {
                        try (var in = app.getResourceAsStream(name.replace('.', '/') + ".class")) {
                            if (in == null) {
                                throw new ClassNotFoundException(name);
                            }
                            byte[] b = in.readAllBytes();
                            c = defineClass(name, b, 0, b.length);
                        } catch (java.io.IOException e) {
                            throw new ClassNotFoundException(name, e);
                        }
                    }
                    return c;
                }
            }

            @Override
            public java.util.Enumeration<java.net.URL> getResources(String name) throws java.io.IOException {
                return hidden.equals(name) ? java.util.Collections.emptyEnumeration() : super.getResources(name);
            }
        };
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(hiding);
        try {
            var names = hiding.loadClass(Controllers.class.getName()).getMethod("names");
            var e = assertThrows(java.lang.reflect.InvocationTargetException.class, () -> names.invoke(null));
            String msg = e.getCause().getMessage();
            assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
            assertTrue(msg.contains("META-INF/services/org.metaadamw.meta.ControllerProvider") && msg.contains("ServicesResourceTransformer"),
                    msg);
        } finally {
            t.setContextClassLoader(before);
        }
    }
}
