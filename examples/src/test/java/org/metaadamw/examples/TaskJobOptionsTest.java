package org.metaadamw.examples;

import org.junit.jupiter.api.Test;
import org.metaadamw.examples.tasks.ForecastingTask;
import org.metaadamw.examples.tasks.SentimentTask;
import org.metaadamw.examples.tasks.TranslationTask;

import java.util.List;
import java.util.Map;

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
