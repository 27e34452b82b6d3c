package org.metaadamw.examples.tasks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.metaadamw.examples.io.CifarBinary;
import org.metaadamw.examples.io.DataFormatException;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tasks on users' copies of the standard sets: official splits used as given, the splits a task
 * makes itself shuffled first (a class-sorted file still gives every split every class), the
 * forecasting task on an ETT-layout CSV.
 */
class DataOptionsTest {
    @TempDir
    Path dir;

    private static int examples(List<DataSet> batches) {
        return batches.stream().mapToInt(DataSet::numExamples).sum();
    }

    private static void assertEveryClass(long[] counts, String what) {
        assertTrue(Arrays.stream(counts).allMatch(c -> c > 0), what + " lacks a class: " + Arrays.toString(counts));
    }

    /** CIFAR-10 records sorted by class: {@code perClass} of class 0, then of class 1, ... */
    private static byte[] sortedCifar(int perClass, int fromClass, int toClass) {
        byte[] data = new byte[perClass * (toClass - fromClass) * CifarBinary.RECORD];
        int r = 0;
        for (int k = fromClass; k < toClass; k++) {
            for (int i = 0; i < perClass; i++, r++) {
                data[r * CifarBinary.RECORD] = (byte) k;
                data[r * CifarBinary.RECORD + 1] = (byte) (10 * k);   // a pixel that tells the class
            }
        }
        return data;
    }

    @Test
    void imageTaskReadsAllFiveCifarBatchesAndShufflesAClassSortedSetBeforeTheSplit() throws Exception {
        // the worst case: the training set sorted by class over the five files (two classes per file)
        for (int b = 1; b <= 5; b++) {
            Files.write(dir.resolve("data_batch_" + b + ".bin"), sortedCifar(40, 2 * (b - 1), 2 * b));
        }
        Files.write(dir.resolve("test_batch.bin"), sortedCifar(20, 0, 10));
        Task.Data d = new ImageTask(dir).load(Task.Scale.FULL, 0);
        assertEquals(400, examples(d.train()) + examples(d.valid()), "every record of the five files");
        assertEquals(400 / 6, examples(d.valid()));
        assertEquals(200, examples(d.test()));
        assertEveryClass(Splits.classCounts(d.train()), "training");
        assertEveryClass(Splits.classCounts(d.valid()), "validation");
        assertEveryClass(Splits.classCounts(d.test()), "test");
        // features and labels shuffled together
        for (DataSet b : d.train()) {
            int[] label = b.getLabels().argMax(1).toIntVector();
            for (int i = 0; i < label.length; i++) {
                assertEquals(10 * label[i] / 255.0, b.getFeatures().getDouble(i, 0, 0, 0), 1e-6);
            }
        }
        // the split does not depend on the run's seed
        Task.Data again = new ImageTask(dir).load(Task.Scale.FULL, 7);
        assertEquals(d.valid().get(0).getLabels(), again.valid().get(0).getLabels());
        // QUICK: a sample of all the files, still every class
        Task.Data quick = new ImageTask(dir).load(Task.Scale.QUICK, 0);
        assertEveryClass(Splits.classCounts(quick.valid()), "validation (quick)");
    }

    @Test
    void aClassSortedSplitIsReportedAndTheShuffledOneIsNot() {
        int n = 120;
        float[] x = new float[n * 2 * 2], y = new float[n * 3];
        for (int i = 0; i < n; i++) {
            Arrays.fill(x, i * 4, i * 4 + 4, i);
            y[i * 3 + i * 3 / n] = 1;                         // classes 0, 1, 2 in blocks
        }
        DataSet sorted = new DataSet(Nd4j.create(x, new long[]{n, 1, 2, 2}, 'c'), Nd4j.create(y, new long[]{n, 3}, 'c'));
        var unshuffled = sorted.splitTestAndTrain(100);
        long[] train = Splits.classCounts(List.of(unshuffled.getTrain()));
        String warning = Splits.warnMissingClasses("test", "validation", train, Splits.classCounts(List.of(unshuffled.getTest())));
        assertNotNull(warning);
        assertTrue(warning.contains("class(es) [0, 1]"), warning);
        DataSet shuffled = Splits.shuffled(sorted, 5);
        for (int i = 0; i < n; i++) {
            int original = (int) shuffled.getFeatures().getDouble(i, 0, 1, 1);
            assertEquals(original * 3 / n, shuffled.getLabels().argMax(1).getInt(i), "row " + i + " kept its label");
        }
        var split = shuffled.splitTestAndTrain(100);
        assertNull(Splits.warnMissingClasses("test", "validation", Splits.classCounts(List.of(split.getTrain())),
                Splits.classCounts(List.of(split.getTest()))));
    }

    @Test
    void fashionMnistValidationHasEveryClass() throws Exception {
        Task.Data d = new ImageTask().load(Task.Scale.QUICK, 0);
        assertEquals(200, examples(d.valid()));
        assertEveryClass(Splits.classCounts(d.valid()), "validation");
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void sentimentTaskTakesSst2StyleOfficialSplitsAndShufflesWhatItSplitsItself() throws Exception {
        // SST-2 layout (header "sentence<TAB>label"), the training file sorted by label
        StringBuilder sorted = new StringBuilder("sentence\tlabel\n");
        for (int i = 0; i < 100; i++) {
            sorted.append("bad dull awful sentence ").append(i).append("\t0\n");
        }
        for (int i = 0; i < 100; i++) {
            sorted.append("great good fine sentence ").append(i).append("\t1\n");
        }
        Path train = file("train.tsv", sorted.toString());
        Path dev = file("dev.tsv", "sentence\tlabel\n" + "good one\t1\n".repeat(10) + "dull one\t0\n".repeat(10));
        Path test = file("test.tsv", "label\tsentence\n" + "1\tfine one\n".repeat(8) + "0\tawful one\n".repeat(7));
        Task.Data both = new SentimentTask(train, dev, test).load(Task.Scale.FULL, 0);
        assertEquals(List.of(200, 20, 15), List.of(examples(both.train()), examples(both.valid()), examples(both.test())),
                "all of train.tsv trains when both official splits are given");
        Task.Data validOnly = new SentimentTask(train, dev, null).load(Task.Scale.FULL, 0);
        assertEquals(List.of(170, 20, 30), List.of(examples(validOnly.train()), examples(validOnly.valid()), examples(validOnly.test())),
                "15 % of train.tsv held out for test");
        assertEveryClass(Splits.classCounts(validOnly.test()), "held-out test split of a label-sorted file");
        Task.Data none = new SentimentTask(train).load(Task.Scale.FULL, 0);
        assertEquals(List.of(140, 30, 30), List.of(examples(none.train()), examples(none.valid()), examples(none.test())));
        assertEveryClass(Splits.classCounts(none.valid()), "validation split of a label-sorted file");
        Path glueTest = file("glue-test.tsv", "index\tsentence\n0\tuneasy mishmash\n");
        var e = assertThrows(DataFormatException.class, () -> new SentimentTask(train, dev, glueTest).load(Task.Scale.FULL, 0));
        assertTrue(e.getMessage().contains("glue-test.tsv:1: header [index, sentence] has no 'label' column"), e.getMessage());
        Path twoLines = file("two.tsv", "1\tgood\n0\tbad\n");
        var tiny = assertThrows(IllegalArgumentException.class, () -> new SentimentTask(twoLines).load(Task.Scale.FULL, 0));
        assertTrue(tiny.getMessage().contains("split is empty (2 labelled examples, split 70/15/15)"), tiny.getMessage());
    }

    @Test
    void sentimentDefaultSplitKeepsItsSizes() throws Exception {
        Task.Data d = new SentimentTask().load(Task.Scale.QUICK, 3);
        assertEquals(List.of(630, 135, 135), List.of(examples(d.train()), examples(d.valid()), examples(d.test())));
    }

    private Path lines(String name, String... l) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", l) + "\n");
    }

    @Test
    void translationTaskTakesMulti30kStyleValidationAndTestPairs() throws Exception {
        List<String> de = new ArrayList<>(), en = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            de.add("ein hund " + i + " läuft .");
            en.add("a dog " + i + " runs .");
        }
        var train = new TranslationTask.Files(lines("train.de", de.toArray(String[]::new)), lines("train.en", en.toArray(String[]::new)));
        var val = new TranslationTask.Files(lines("val.de", "zwei katzen .", "eine katze sitzt auf einer sehr langen und breiten mauer am meer ."),
                lines("val.en", "two cats .", "a cat sits on a very long and wide wall by the sea ."));
        var test = new TranslationTask.Files(lines("test_2016_flickr.de", "ein mann .", "eine frau .", "ein kind ."),
                lines("test_2016_flickr.en", "a man .", "a woman .", "a child ."));
        Task.Data d = new TranslationTask(train, val, test).load(Task.Scale.FULL, 0);
        assertEquals(50, examples(d.train()));
        assertEquals(1, examples(d.valid()), "the pair over 10 tokens dropped");
        assertEquals(3, examples(d.test()));
        assertTrue(d.description().contains("validation " + val + ": 1 of 2 pairs kept"), d.description());
        Task.Data carved = new TranslationTask(train, null, test).load(Task.Scale.FULL, 0);
        assertEquals(List.of(45, 5, 3), List.of(examples(carved.train()), examples(carved.valid()), examples(carved.test())));
        var tooLong = new TranslationTask.Files(lines("long.de", "eins zwei drei vier fünf sechs sieben acht neun zehn elf ."),
                lines("long.en", "one ."));
        var none = assertThrows(DataFormatException.class, () -> new TranslationTask(train, tooLong, null).load(Task.Scale.FULL, 0));
        assertTrue(none.getMessage().contains("long.de: none of its 1 sentence pairs has at most 10 tokens"), none.getMessage());
        var misaligned = new TranslationTask.Files(lines("bad.de", "a", "b"), lines("bad.en", "a"));
        var e = assertThrows(DataFormatException.class, () -> new TranslationTask(train, misaligned, null).load(Task.Scale.FULL, 0));
        assertTrue(e.getMessage().contains("bad.en:2: ends before"), e.getMessage());
    }

    @Test
    void languageModelTaskUsesWikiTextsOwnSplitsAndCutsThemAtTheSmallScales() throws Exception {
        String line = "the cat sat on the mat .\n";                 // 8 tokens with <eos>
        file("wiki.train.tokens", line.repeat(5000));
        file("wiki.valid.tokens", line.repeat(100));
        file("wiki.test.tokens", line.repeat(400));
        Task.Data full = new LanguageModelTask(dir).load(Task.Scale.FULL, 0);
        assertTrue(full.description().contains("tokens 40000/800/3200"), full.description());
        Task.Data quick = new LanguageModelTask(dir).load(Task.Scale.QUICK, 0);
        assertTrue(quick.description().contains("tokens 20000/800/2000"), quick.description());
    }

    /** An ETT-layout CSV of {@code rows} hours: date, two covariates, OT = a known function of the row. */
    private Path ettCsv(String name, int rows) throws IOException {
        StringBuilder b = new StringBuilder("date,HUFL,HULL,OT\n");
        for (int t = 0; t < rows; t++) {
            b.append(String.format(Locale.ROOT, "2016-07-01 %05d,%.3f,%.3f,%.3f%n", t, Math.sin(t / 5.0), Math.cos(t / 7.0), t % 24 + 0.5 * Math.sin(t)));
        }
        return Files.writeString(dir.resolve(name), b.toString());
    }

    @Test
    void forecastingTaskReadsAnEttCsvAndPredictsTheTargetColumn() throws Exception {
        Path csv = ettCsv("my-series.csv", 400);
        Task.Data d = new ForecastingTask(csv, null).load(Task.Scale.FULL, 0);
        assertEquals(List.of(3, 1), Arrays.stream(d.info()).boxed().toList(), "3 input series, the last column (OT) predicted");
        assertEquals(List.of(280 - 14, 40, 80), List.of(examples(d.train()), examples(d.valid()), examples(d.test())), "70/10/20 in time order");
        DataSet first = d.train().get(0);
        assertEquals(List.of(32L, 3L, 14L), Arrays.stream(first.getFeatures().shape()).boxed().toList());
        // the label of a window is the next row's OT, which is the input of the following window's last step
        assertEquals(first.getLabels().getDouble(0, 0), first.getFeatures().getDouble(1, 2, 13), 1e-6);
        assertTrue(d.description().contains("target OT"), d.description());
        var model = new ForecastingTask(csv, null).model(d, 0);
        assertEquals(List.of(32L, 1L), Arrays.stream(((org.deeplearning4j.nn.multilayer.MultiLayerNetwork) model).output(first.getFeatures())
                .shape()).boxed().toList());
        assertEquals(1, new ForecastingTask(csv, "HUFL").load(Task.Scale.QUICK, 0).info()[1]);
        assertEquals(3, new ForecastingTask(csv, "all").load(Task.Scale.QUICK, 0).info()[1]);
        var e = assertThrows(DataFormatException.class, () -> new ForecastingTask(csv, "LUFL").load(Task.Scale.FULL, 0));
        assertTrue(e.getMessage().contains("my-series.csv:1: no column 'LUFL' to predict among [HUFL, HULL, OT]"), e.getMessage());
        var few = assertThrows(DataFormatException.class, () -> new ForecastingTask(ettCsv("short.csv", 15), null).load(Task.Scale.FULL, 0));
        assertTrue(few.getMessage().contains("15 rows are too few"), few.getMessage());
        Files.writeString(dir.resolve("bad.csv"), "date,OT\n1,2\n2,n/a\n");
        var bad = assertThrows(DataFormatException.class, () -> new ForecastingTask(dir.resolve("bad.csv"), null).load(Task.Scale.FULL, 0));
        assertTrue(bad.getMessage().contains("bad.csv:3: column 'OT'"), bad.getMessage());
        String huge = Files.readString(ettCsv("huge.csv", 400)).replaceFirst("\n(2016-07-01 00010,)[^,]*,", "\n$11e300,");
        Files.writeString(dir.resolve("huge.csv"), huge);
        var overflow = assertThrows(DataFormatException.class, () -> new ForecastingTask(dir.resolve("huge.csv"), null).load(Task.Scale.FULL, 0));
        assertTrue(overflow.getMessage().contains("column 'HUFL' has a non-finite mean or variance"), overflow.getMessage());
    }

    @Test
    void ettFilesGetEttsOwnTwelveFourFourMonthSplit() throws Exception {
        int month = 30 * 24;
        Path csv = ettCsv("ETTh1.csv", 20 * month + 100);     // the rows after month 20 are not used, as in ETT's benchmarks
        Task.Data d = new ForecastingTask(csv, null).load(Task.Scale.FULL, 0);
        assertEquals(List.of(12 * month - 14, 4 * month, 4 * month), List.of(examples(d.train()), examples(d.valid()), examples(d.test())));
        assertTrue(d.description().contains("ETT's 12/4/4 months"), d.description());
    }

    @Test
    void theWeatherDefaultStillPredictsAllEightSeries() throws Exception {
        Task.Data d = new ForecastingTask().load(Task.Scale.QUICK, 0);
        assertEquals(List.of(8, 8), Arrays.stream(d.info()).boxed().toList());
        assertEquals(300, examples(d.train()));
    }
}
