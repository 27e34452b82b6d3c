package org.metaadamw.examples;

import org.junit.jupiter.api.Test;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.SentimentTask;
import org.metaadamw.examples.tasks.TranslationTask;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The jobs' data options: documented in --help, and a half-given pair of files refused. */
class TaskJobOptionsTest {

    @Test
    void everyDataOptionIsDocumented() {
        for (String o : List.of("--csv", "--target", "--corpus", "--src", "--tgt", "--valid-src", "--valid-tgt", "--test-src",
                "--test-tgt", "--cifar", "--labelled", "--valid", "--test")) {
            assertTrue(TaskJob.USAGE.contains(o + " "), o + " missing from --help");
        }
    }

    @Test
    void settingsFollowOnePrecedenceRule() {
        org.apache.spark.SparkConf none = new org.apache.spark.SparkConf(false);
        var d = TaskJob.resolveConfig(Map.of(), none);
        assertEquals(5e-4, d.learningRate(), 0.0, "the job's default");
        assertEquals(2, d.numWorkers());
        org.apache.spark.SparkConf submit = new org.apache.spark.SparkConf(false)
                .set("spark.metaadamw.learningRate", "2e-3").set("spark.metaadamw.controller", "adamw").set("spark.metaadamw.numWorkers", "3");
        var c = TaskJob.resolveConfig(Map.of(), submit);
        assertEquals(2e-3, c.learningRate(), 0.0, "spark-submit --conf beats the job's default");
        assertEquals("adamw", c.controller());
        assertEquals(3, c.numWorkers());
        var j = TaskJob.resolveConfig(Map.of("conf", "spark.metaadamw.learningRate=3e-3"), submit);
        assertEquals(3e-3, j.learningRate(), 0.0, "the job's own --conf beats the Spark configuration");
        var o = TaskJob.resolveConfig(Map.of("conf", "spark.metaadamw.learningRate=3e-3", "lr", "1e-2", "controller", "hypergradient"), submit);
        assertEquals(1e-2, o.learningRate(), 0.0, "--lr beats everything");
        assertEquals("hypergradient", o.controller());
        var e = assertThrows(IllegalArgumentException.class,
                () -> TaskJob.resolveConfig(Map.of(), new org.apache.spark.SparkConf(false).set("spark.metaadamw.numworkers", "2")));
        assertTrue(e.getMessage().contains("did you mean spark.metaadamw.numWorkers"), e.getMessage());
    }

    @Test
    void badOptionsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> TaskJob.resolveConfig(Map.of("lr", "abc"), new org.apache.spark.SparkConf(false)));
        assertTrue(e.getMessage().startsWith("--lr: ") && e.getMessage().contains("spark.metaadamw.learningRate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TaskJob.intOption(Map.of("epochs", "0"), "epochs", 6, 1));
        assertEquals("--epochs must be an integer >= 1 (got '0')", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TaskJob.checkOptions(Map.of("lrr", "10")));
        assertTrue(e.getMessage().contains("unknown option --lrr (did you mean --lr?)"), e.getMessage());
        TaskJob.checkOptions(Map.of("lr", "1e-3", "conf0", "spark.metaadamw.seed=1", "quick", "true", "valid-src", "v.de"));
        e = assertThrows(IllegalArgumentException.class, () -> TaskJob.resolveConfig(Map.of(),
                new org.apache.spark.SparkConf(false).set("spark.metadamw.learningRate", "1e-2")));
        assertTrue(e.getMessage().contains("spark.metadamw.learningRate (did you mean spark.metaadamw.learningRate?)"), e.getMessage());
        assertEquals(0, TaskJob.resolveConfig(Map.of("workers", "0"), new org.apache.spark.SparkConf(false)).numWorkers(),
                "--workers 0 is valid: the default parallelism");
    }

    @Test
    void optionsMakeTheirTasks() {
        assertInstanceOf(ForecastingTask.class, TaskJob.task("forecasting", Map.of("csv", "ETTh1.csv", "target", "OT")));
        assertInstanceOf(SentimentTask.class, TaskJob.task("sentiment", Map.of("labelled", "train.tsv", "valid", "dev.tsv")));
        assertInstanceOf(TranslationTask.class, TaskJob.task("translation", Map.of("src", "train.de", "tgt", "train.en",
                "test-src", "test_2016_flickr.de", "test-tgt", "test_2016_flickr.en")));
        var e = assertThrows(IllegalArgumentException.class,
                () -> TaskJob.task("translation", Map.of("src", "train.de", "tgt", "train.en", "valid-src", "val.de")));
        assertTrue(e.getMessage().contains("--valid-src and --valid-tgt go together"), e.getMessage());
    }
}
