package org.metaadamw.examples.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Labelled text for classification: TSV lines {@code label<TAB>text}, or JSON, an array of objects
 * with a {@code text} and a {@code class} (or {@code label}) field. Entries whose label is null are
 * skipped (the UCI sentiment files end with such a sentinel). Labels are non-negative integers.
 *
 * <p>A TSV file may start with a header naming its columns, as SST-2's do (GLUE:
 * {@code sentence<TAB>label}; other copies {@code label<TAB>sentence}): a first line with a column
 * called {@code label} (or {@code class}) and one called {@code sentence} (or {@code text}) is read as
 * such a header, and the columns are then taken by name. Without a header, the label is the first field
 * and the text the rest of the line.
 */
public final class LabelledText {
    private LabelledText() {
    }

    public record Example(int label, String text) {
    }

    /** Reads a {@code .tsv}/{@code .tsv.gz} or {@code .json}/{@code .json.gz} file, by its name. */
    public static List<Example> read(Path file) throws IOException {
        String name = file.getFileName().toString().replace(".gz", "");
        return name.endsWith(".json") ? readJson(file) : readTsv(file);
    }

    public static List<Example> readTsv(Path file) throws IOException {
        List<Example> out = new ArrayList<>();
        try (BufferedReader r = TextFiles.open(file)) {
            String line;
            long n = 0;
            Header header = null;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                if (header == null && out.isEmpty()) {
                    header = Header.of(file, n, line);
                    if (header != null) {
                        continue;
                    }
                }
                if (header != null) {
                    String[] f = line.split("\t", -1);
                    if (f.length != header.columns) {
                        throw new DataFormatException(file, n, "expected " + header.columns + " tab-separated fields as in the header, found "
                                + f.length);
                    }
                    out.add(new Example(label(file, n, f[header.label].trim()), f[header.text].trim()));
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    throw new DataFormatException(file, n, "expected 'label<TAB>text', found no tab");
                }
                out.add(new Example(label(file, n, line.substring(0, tab).trim()), line.substring(tab + 1).trim()));
            }
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file, 0, "no examples");
        }
        return out;
    }

    /** Column positions from a TSV header line. */
    private record Header(int columns, int label, int text) {
        private static final java.util.Set<String> LABEL = java.util.Set.of("label", "class"), TEXT = java.util.Set.of("sentence", "text");

        /** The header of {@code line}, or null when it is a data line (its first field a label). */
        static Header of(Path file, long n, String line) throws DataFormatException {
            String[] f = line.split("\t", -1);
            if (f[0].trim().matches("\\d+")) {
                return null;
            }
            int label = -1, text = -1;
            for (int i = 0; i < f.length; i++) {
                String name = f[i].trim().toLowerCase(java.util.Locale.ROOT);
                if (LABEL.contains(name) && label < 0) {
                    label = i;
                } else if (TEXT.contains(name) && text < 0) {
                    text = i;
                }
            }
            if (text >= 0 && label < 0) {
                // GLUE's SST-2 test.tsv is "index<TAB>sentence": no labels to learn or score with
                throw new DataFormatException(file, n, "header " + java.util.Arrays.toString(f) + " has no 'label' column: unlabelled data");
            }
            if (label < 0 || text < 0) {
                return null;
            }
            return new Header(f.length, label, text);
        }
    }

    public static List<Example> readJson(Path file) throws IOException {
        JsonNode root;
        try (BufferedReader r = TextFiles.open(file)) {
            root = new ObjectMapper().readTree(r);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                    "invalid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new DataFormatException(file, 1, "expected a JSON array of {\"text\", \"class\"} objects");
        }
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode e = root.get(i);
            JsonNode text = e.get("text"), label = e.has("class") ? e.get("class") : e.get("label");
            if (text == null || !text.isTextual()) {
                throw new DataFormatException(file, 0, "element " + i + ": missing string field 'text'");
            }
            if (label == null || label.isNull()) {
                continue;
            }
            out.add(new Example(label(file, 0, label.asText()), text.asText().trim()));
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file, 0, "no labelled examples");
        }
        return out;
    }

    /** Labels are class indices; more classes than this is a data error, not a task (a one-hot row would not fit in memory). */
    static final int MAX_CLASSES = 1000;

    private static int label(Path file, long line, String s) throws DataFormatException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            if (v >= MAX_CLASSES) {
                throw new DataFormatException(file, line, "label '" + s + "' is not a class index in 0.." + (MAX_CLASSES - 1));
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, line, "label '" + s + "' is not a non-negative integer");
        }
    }
}
