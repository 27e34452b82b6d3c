package org.metaadamw.spark;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.metaadamw.TestNets;
import org.metaadamw.config.MetaAdamWConfig;
import org.metaadamw.train.RoundRecord;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoints and resume on Spark: a resumed run gives the parameters of an uninterrupted one, for every controller. */
class CheckpointResumeTest {
    static final int EPOCHS = 3;

    static MetaAdamWConfig cfg(String controller, Path dir) {
        return MetaAdamWConfig.builder().controller(controller).learningRate(1e-2).averagingFrequency(3).validationHoldout(4)
                .numWorkers(2).seed(11).checkpoint(dir == null ? "" : dir.toUri().toString(), 2, 2).build();
    }

    static INDArray run(String controller, Path dir, int stopAfter, boolean resume, List<RoundRecord>[] history) {
        return SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
            SparkMetaAdamW t = new SparkMetaAdamW(sc, net, cfg(controller, dir));
            if (resume) {
                assertTrue(t.resume(), "a checkpoint must be there");
            }
            if (!org.metaadamw.train.KilledRun.fit(t, stopAfter, () -> t.fit(sc.parallelize(data, 3), null, EPOCHS))) {
                return null;
            }
            if (history != null) {
                history[0] = t.history();
            }
            return net.params().dup();
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"metaadamw", "hypergradient", "adamw", "random", "mada"})
    @SuppressWarnings("unchecked")
    void aResumedRunEqualsAnUninterruptedOne(String controller, @TempDir Path dir) throws IOException {
        List<RoundRecord>[] h = new List[1];
        INDArray clean = run(controller, null, -1, false, h);
        int rounds = h[0].size();
        int stop = rounds / 2 + 1;  // mid-epoch, one round after a checkpoint of the 2-round interval
        assertEquals(null, run(controller, dir, stop, false, null));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.filter(p -> p.getFileName().toString().startsWith("round-")).count(), "keep = 2");
        }
        List<RoundRecord>[] h2 = new List[1];
        INDArray resumed = run(controller, dir, -1, true, h2);
        double diff = clean.sub(resumed).amaxNumber().doubleValue();
        System.out.printf("%s: %d rounds, stopped after round %d, resumed: max |Δθ| = %.3e%n", controller, rounds, stop, diff);
        assertEquals(0.0, diff, 0.0, "resumed vs uninterrupted");
        assertEquals(rounds, h2[0].size(), "the history continues where it stopped");
        assertEquals(h[0].get(rounds - 1).alpha()[0], h2[0].get(rounds - 1).alpha()[0], 0.0);
    }

    /** The DL4J idiom, one fit call per epoch: a checkpoint at the end of a finished call resumes into the next epoch. */
    @Test
    void oneFitCallPerEpochResumesIntoTheNextEpoch(@TempDir Path dir) {
        java.util.function.BiFunction<Path, int[], INDArray> run = (d, calls) -> SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            List<DataSet> data = TestNets.toDouble(TestNets.irisBatches(10, 1));
            SparkMetaAdamW t = new SparkMetaAdamW(sc, net, cfg("metaadamw", d).toBuilder().checkpoint(d == null ? "" : d.toUri().toString(), 0, 2).build());
            if (calls[0] == 1) {
                assertTrue(t.resume());
            }
            var rdd = sc.parallelize(data, 3);
            for (int e = 0; e < calls[1]; e++) {
                t.fit(rdd, null, 1);
            }
            return net.params().dup();
        });
        INDArray clean = run.apply(null, new int[]{0, 3});
        run.apply(dir, new int[]{0, 2});                       // stopped after two epochs (checkpoint at the end of the second)
        INDArray resumed = run.apply(dir, new int[]{1, 1});    // resumed, the third epoch
        assertEquals(0.0, clean.sub(resumed).amaxNumber().doubleValue(), 0.0);
    }

    @Test
    void unusableCheckpointsAreRefusedNamingTheFileAndReason(@TempDir Path dir) throws IOException {
        run("metaadamw", dir, 4, false, null);
        Path latest;
        try (Stream<Path> s = Files.list(dir)) {
            latest = s.filter(p -> p.getFileName().toString().startsWith("round-")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        Path adam = latest.resolve("adam.bin");
        byte[] good = Files.readAllBytes(adam);
        // the local file system's own .crc catches a damaged file first, naming it
        Files.write(adam, java.util.Arrays.copyOf(good, good.length / 2));
        String crc = resumeError(dir);
        assertTrue(crc.contains("adam.bin") && crc.toLowerCase(java.util.Locale.ROOT).contains("checksum"), crc);
        // without it (a copy made with cp, an object store), the manifest's SHA-256 does
        for (String f : new String[]{".adam.bin.crc", ".manifest.json.crc"}) {
            Files.deleteIfExists(latest.resolve(f));
        }
        // truncated
        Files.write(adam, java.util.Arrays.copyOf(good, good.length / 2));
        String msg = resumeError(dir);
        assertTrue(msg.contains("adam.bin") && msg.contains("checksum mismatch"), msg);
        // corrupted, same length
        byte[] bad = good.clone();
        bad[bad.length - 3] ^= 0x5A;
        Files.write(adam, bad);
        msg = resumeError(dir);
        assertTrue(msg.contains("adam.bin") && msg.contains("checksum mismatch"), msg);
        Files.write(adam, good);
        // another format version
        Path manifest = latest.resolve("manifest.json");
        String m = Files.readString(manifest);
        Files.writeString(manifest, m.replace("\"formatVersion\" : 1", "\"formatVersion\" : 7"));
        msg = resumeError(dir);
        assertTrue(msg.contains("manifest.json") && msg.contains("format version 7"), msg);
        Files.writeString(manifest, m);
        // another network
        msg = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            MultiLayerNetwork other = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, true); // with batch norm: more parameters
            var e = assertThrows(UncheckedIOException.class, () -> new SparkMetaAdamW(sc, other, cfg("metaadamw", dir)).resume());
            return e.getMessage();
        });
        assertTrue(msg.contains(latest.getFileName().toString()) && msg.contains("another network"), msg);
        // the same network grouped otherwise
        msg = SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            var e = assertThrows(UncheckedIOException.class,
                    () -> new SparkMetaAdamW(sc, net, cfg("metaadamw", dir).toBuilder().grouping("single").build()).resume());
            return e.getMessage();
        });
        assertTrue(msg.contains(latest.getFileName().toString()) && msg.contains("parameter groups"), msg);
        // the intact checkpoint still resumes: nothing was lost
        assertFalse(run("metaadamw", dir, -1, true, null) == null);
    }

    static String resumeError(Path dir) {
        return SparkTestSupport.withSpark("local[2]", Map.of(), sc -> {
            MultiLayerNetwork net = TestNets.mlp(9, DataType.DOUBLE, 1e-2, 0, false, false);
            var e = assertThrows(UncheckedIOException.class, () -> new SparkMetaAdamW(sc, net, cfg("metaadamw", dir)).resume());
            return e.getMessage();
        });
    }
}
