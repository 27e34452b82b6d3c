package org.metaadamw.examples.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every loader on good input, and malformed input failing with the file, the line and the reason. */
class LoadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
                o.write(content.getBytes(StandardCharsets.UTF_8));
            }
        } else {
            Files.writeString(p, content);
        }
        return p;
    }

    private static void assertFails(String expected, org.junit.jupiter.api.function.Executable e) {
        var ex = assertThrows(DataFormatException.class, e);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    @Test
    void timeSeriesCsvEttStyleAndLongFormat() throws Exception {
        Path ett = write("ett.csv", "date,HUFL,OT\n2016-07-01 00:00:00,5.8,30.5\n2016-07-01 01:00:00,5.7,27.8\n");
        var s = TimeSeriesCsv.read(ett, "date", List.of(), null);
        assertEquals(List.of("HUFL", "OT"), s.columns());
        assertEquals(27.8, s.values()[1][1], 0);
        Path longFmt = write("w.csv", "location,date,t,w\nB,2012-01-02,2,20\nA,2012-01-01,1,10\nA,2012-01-02,3,30\nB,2012-01-01,4,40\n");
        var p = TimeSeriesCsv.read(longFmt, "date", List.of("t", "w"), "location");
        assertEquals(List.of("B.t", "B.w", "A.t", "A.w"), p.columns());
        assertEquals(List.of("2012-01-01", "2012-01-02"), p.times());
        assertEquals(3.0, p.values()[1][2], 0);
        assertFails("bad.csv:3: column 'OT': 'n/a' is not a number",
                () -> TimeSeriesCsv.read(write("bad.csv", "date,OT\n1,2\n2,n/a\n"), "date", List.of(), null));
        assertFails("no column 'OT'", () -> TimeSeriesCsv.read(write("h.csv", "date,X\n1,2\n"), "date", List.of("OT"), null));
        assertFails("f.csv:2: expected 2 fields, found 3", () -> TimeSeriesCsv.read(write("f.csv", "date,X\n1,2,3\n"), "date", List.of(), null));
    }

    @Test
    void realWeatherDataPivotsIntoEightSeries() throws Exception {
        Path weather = DataPaths.dataset("weather").resolve("weather.csv");
        var s = TimeSeriesCsv.read(weather, "date", List.of("precipitation", "temp_max", "temp_min", "wind"), "location");
        assertEquals(8, s.columns().size());
        assertEquals(1461, s.length());
    }

    @Test
    void labelledTextTsvAndJsonSkippingTheNullSentinel() throws Exception {
        var tsv = LabelledText.read(write("a.tsv.gz", "1\tgreat film\n0\tdull\n"));
        assertEquals(new LabelledText.Example(1, "great film"), tsv.get(0));
        var json = LabelledText.read(DataPaths.dataset("sentiment").resolve("imdb.json"));
        assertEquals(1000, json.size(), "1000 sentences, the trailing null-class sentinel skipped");
        assertFails("b.tsv:2: expected 'label<TAB>text'", () -> LabelledText.read(write("b.tsv", "1\tok\nno tab here\n")));
        assertFails("c.tsv:1: label 'pos' is not a non-negative integer", () -> LabelledText.read(write("c.tsv", "pos\tok\n")));
        assertFails("d.json:1: invalid JSON", () -> LabelledText.read(write("d.json", "[{\"text\": \"x\", ")));
        assertFails("big.tsv:2: label '2000000000' is not a class index in 0..999",
                () -> LabelledText.read(write("big.tsv", "1\tok\n2000000000\thuge\n")));
        Path latin1 = dir.resolve("latin1.tsv");
        Files.write(latin1, "1\tgood\n0\tna\u00efve\n".getBytes(StandardCharsets.ISO_8859_1));
        assertFails("latin1.tsv:2: not valid UTF-8", () -> LabelledText.read(latin1));
        assertFails("element 0: missing string field 'text'", () -> LabelledText.read(write("e.json", "[{\"class\": 1}]")));
    }

    @Test
    void labelledTextTsvHeadersNameTheColumnsInEitherOrder() throws Exception {
        var labelFirst = LabelledText.read(write("lf.tsv", "label\tsentence\n1\tgreat film\n0\tdull\n"));
        assertEquals(List.of(new LabelledText.Example(1, "great film"), new LabelledText.Example(0, "dull")), labelFirst);
        // SST-2 as GLUE ships it: sentence first, a header saying so
        var sst2 = LabelledText.read(write("train.tsv", "sentence \tlabel\nhide new secretions from the parental units \t0\n"
                + "that loves its characters \t1\n"));
        assertEquals(List.of(new LabelledText.Example(0, "hide new secretions from the parental units"),
                new LabelledText.Example(1, "that loves its characters")), sst2);
        // a first field that is a label is data, whatever the text says
        assertEquals(new LabelledText.Example(1, "text"), LabelledText.read(write("nh.tsv", "1\ttext\n")).get(0));
        assertFails("glue-test.tsv:1: header [index, sentence] has no 'label' column",
                () -> LabelledText.read(write("glue-test.tsv", "index\tsentence\n0\tuneasy mishmash\n")));
        assertFails("cols.tsv:3: expected 2 tab-separated fields as in the header, found 1",
                () -> LabelledText.read(write("cols.tsv", "sentence\tlabel\nfine\t1\nno label here\n")));
        assertFails("lab.tsv:2: label 'positive' is not a non-negative integer",
                () -> LabelledText.read(write("lab.tsv", "sentence\tlabel\nfine\tpositive\n")));
    }

    @Test
    void parallelTextAndDingSentences() throws Exception {
        var pairs = ParallelText.read(write("t.de.gz", "Ein Hund.\nZwei Katzen.\n"), write("t.en", "A dog.\nTwo cats.\n"));
        assertEquals(new ParallelText.Pair("Zwei Katzen.", "Two cats."), pairs.get(1));
        assertFails("s.en:2: ends before", () -> ParallelText.read(write("s.de", "a\nb\n"), write("s.en", "a\n")));
        Path ding = write("ding", "# comment\nIch bin müde {adj}. | Er ist da. :: I am tired. | He is here.\nkurz :: short\n");
        var ds = ParallelText.dingSentences(ding, 3);
        assertEquals(List.of(new ParallelText.Pair("Ich bin müde .", "I am tired."), new ParallelText.Pair("Er ist da.", "He is here.")), ds);
        var real = ParallelText.dingSentences(DataPaths.dataset("de-en").resolve("de-en"), 4);
        assertTrue(real.size() > 10_000, "sentence pairs from the Ding dictionary: " + real.size());
        assertFails("x:1: expected 'Deutsch :: English'", () -> ParallelText.dingSentences(write("x", "kein trenner\n"), 1));
    }

    @Test
    void textCorpusSplitsAndVocabulary() throws Exception {
        write("train.txt", "The cat sat.\n\nThe dog ran!\n");
        write("valid.txt.gz", "The cat ran.\n");
        write("test.txt", "A bird.\n");
        var s = TextCorpus.read(dir);
        assertEquals(List.of("the", "cat", "sat", ".", "<eos>", "the", "dog", "ran", "!", "<eos>"), s.train());
        var v = TextCorpus.Vocabulary.build(s.train(), 4);
        assertEquals(List.of("<unk>", "<eos>", "the", "!"), v.tokens());
        assertEquals(0, v.id("zebra"));
        Files.delete(dir.resolve("test.txt"));
        assertFails("no test.txt", () -> TextCorpus.read(dir));
    }

    @Test
    void cifarBinaryRecordsAndMalformedFiles() throws Exception {
        byte[] data = new byte[2 * CifarBinary.RECORD];
        data[0] = 3;
        data[1] = (byte) 255;
        data[CifarBinary.RECORD] = 9;
        Path f = dir.resolve("data_batch_1.bin");
        Files.write(f, data);
        var ds = CifarBinary.read(f, 0);
        assertEquals(List.of(2L, 3L, 32L, 32L), java.util.Arrays.stream(ds.getFeatures().shape()).boxed().toList());
        assertEquals(1.0, ds.getLabels().getDouble(0, 3), 0);
        assertEquals(1.0, ds.getFeatures().getDouble(0, 0, 0, 0), 1e-6);
        Files.write(f, java.util.Arrays.copyOf(data, 100));
        assertFails("100 bytes is not a whole number of 3073-byte", () -> CifarBinary.read(f, 0));
        data[0] = 12;
        Files.write(f, data);
        assertFails("record 0 (byte offset 0) has label 12", () -> CifarBinary.read(f, 0));
    }

    /** A CIFAR-10 file of records whose label and first pixel byte are {@code labels[i]} and {@code first + i}. */
    private Path cifar(String name, int first, int... labels) throws IOException {
        byte[] data = new byte[labels.length * CifarBinary.RECORD];
        for (int i = 0; i < labels.length; i++) {
            data[i * CifarBinary.RECORD] = (byte) labels[i];
            data[i * CifarBinary.RECORD + 1] = (byte) (first + i);
        }
        Path f = dir.resolve(name);
        Files.write(f, data);
        return f;
    }

    @Test
    void cifarFolderReadsEveryTrainingBatchInNumberOrder() throws Exception {
        cifar("data_batch_2.bin", 10, 2, 3);
        cifar("data_batch_10.bin", 20, 9);
        cifar("data_batch_1.bin", 0, 0, 1);
        cifar("test_batch.bin", 30, 5);
        Files.writeString(dir.resolve("readme.html"), "not a batch");
        List<Path> batches = CifarBinary.trainingBatches(dir);
        assertEquals(List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_10.bin"),
                batches.stream().map(p -> p.getFileName().toString()).toList());
        assertEquals(5, CifarBinary.records(batches));
        // records addressed across the files, returned in the order asked for
        var ds = CifarBinary.read(batches, new int[]{4, 0, 3, 2});
        assertEquals(4, ds.numExamples());
        int[] labels = ds.getLabels().argMax(1).toIntVector();
        assertEquals(List.of(9, 0, 3, 2), java.util.Arrays.stream(labels).boxed().toList());
        assertEquals(20 / 255.0, ds.getFeatures().getDouble(0, 0, 0, 0), 1e-6);
        assertEquals(11 / 255.0, ds.getFeatures().getDouble(2, 0, 0, 0), 1e-6);
        assertEquals(1, CifarBinary.read(List.of(CifarBinary.testBatch(dir)), new int[]{0}).numExamples());
        cifar("data_batch_2.bin", 10, 2, 12);
        assertFails("data_batch_2.bin: record 1 (byte offset 3073) has label 12", () -> CifarBinary.read(batches, new int[]{0, 3}));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertFails("no data_batch_1.bin .. data_batch_5.bin in this folder", () -> CifarBinary.trainingBatches(empty));
        assertFails("test_batch.bin: no such file", () -> CifarBinary.testBatch(empty));
    }

    @Test
    void timeSeriesCsvFindsTheTimeColumnByNameOrPosition() throws Exception {
        var ett = TimeSeriesCsv.read(write("e.csv", "HUFL,date,OT\n5.8,2016-07-01 00:00:00,30.5\n"), null, List.of(), null);
        assertEquals(List.of("HUFL", "OT"), ett.columns());
        var first = TimeSeriesCsv.read(write("t.csv", "time,a,b\n1,2,3\n"), null, List.of(), null);
        assertEquals(List.of("a", "b"), first.columns());
        assertEquals(List.of("1"), first.times());
    }

    @Test
    void idxErrorsNameTheFile() throws Exception {
        Path f = write("bad-idx", "\u0000\u0000\u0009\u0001xxxx");
        var e = assertThrows(IOException.class, () -> IdxReader.read(f, 0));
        assertTrue(e.getMessage().contains("bad-idx") && e.getMessage().contains("data type 0x9"), e.getMessage());
    }
}
