package org.metaadamw.io;

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
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
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

    private static int label(Path file, long line, String s) throws DataFormatException {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, line, "label '" + s + "' is not a non-negative integer");
        }
    }
}
