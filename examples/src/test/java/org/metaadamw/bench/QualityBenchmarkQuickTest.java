package org.metaadamw.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.examples.tasks.Task;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quality benchmark's {@code --quick} mode as a smoke test: every task, every optimizer, one
 * seed, small subsets, on real data in Spark local mode; the table, the JSON and the plots must be
 * written and every metric must be finite.
 */
class QualityBenchmarkQuickTest {

    @Test
    void quickModeRunsEveryTaskAndOptimizerAndWritesTheReports(@TempDir Path out) throws Exception {
        QualityBenchmark.main(new String[]{"--quick", "--out", out.toString()});
        String md = Files.readString(out.resolve("results.md"));
        for (String task : Task.ALL) {
            for (String opt : QualityBenchmark.ORDER) {
                assertTrue(md.contains("| " + task + " | " + opt + " |"), task + " / " + opt + " missing:\n" + md);
            }
            assertTrue(Files.size(out.resolve(task + "-validation.png")) > 1000);
            assertTrue(Files.size(out.resolve(task + "-multipliers.png")) > 1000);
        }
        JsonNode runs = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(Task.ALL.size() * QualityBenchmark.ORDER.size(), runs.size());
        for (JsonNode r : runs) {
            assertTrue(Double.isFinite(r.get("test").asDouble()), r.toString());
        }
    }
}
