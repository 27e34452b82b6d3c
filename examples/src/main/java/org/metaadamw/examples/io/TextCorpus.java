package org.metaadamw.examples.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A word-level text corpus in the WikiText layout: a folder with {@code train.txt}, {@code valid.txt}
 * and {@code test.txt} (optionally gzipped); tokens are whitespace-separated, lines end with
 * {@code <eos>}. {@link Vocabulary} maps tokens to ids with {@code <unk>} for the rest.
 */
public final class TextCorpus {
    private TextCorpus() {
    }

    public static final String EOS = "<eos>", UNK = "<unk>";

    public record Splits(List<String> train, List<String> valid, List<String> test) {
    }

    public static Splits read(Path dir) throws IOException {
        return new Splits(tokens(find(dir, "train")), tokens(find(dir, "valid")), tokens(find(dir, "test")));
    }

    private static Path find(Path dir, String split) throws DataFormatException {
        for (String name : new String[]{split + ".txt", split + ".txt.gz", "wiki." + split + ".tokens"}) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return dir.resolve(name);
            }
        }
        throw new DataFormatException(dir, 0, "no " + split + ".txt (or .txt.gz) in this folder");
    }

    /** Lower-cased tokens of a file, words and punctuation split, {@code <eos>} after each non-blank line. */
    public static List<String> tokens(Path file) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = TextFiles.open(file)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                tokenize(line, out);
                out.add(EOS);
            }
        }
        if (out.isEmpty()) {
            throw new DataFormatException(file, 0, "no tokens");
        }
        return out;
    }

    /** Appends the lower-cased word and punctuation tokens of {@code text}. */
    public static void tokenize(String text, List<String> out) {
        for (String t : text.toLowerCase(Locale.ROOT).replaceAll("([.,;:!?\"()])", " $1 ").split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
    }

    /** Token ↔ id with {@code <unk>} = 0; immutable. */
    public record Vocabulary(List<String> tokens, Map<String, Integer> ids) {
        public static Vocabulary build(List<String> corpus, int maxSize) {
            Map<String, Integer> counts = new HashMap<>();
            for (String t : corpus) {
                counts.merge(t, 1, Integer::sum);
            }
            List<String> sorted = new ArrayList<>(counts.keySet());
            sorted.sort(Comparator.comparing((String t) -> -counts.get(t)).thenComparing(t -> t));
            List<String> tokens = new ArrayList<>();
            tokens.add(UNK);
            for (String t : sorted) {
                if (tokens.size() >= maxSize) {
                    break;
                }
                if (!t.equals(UNK)) {
                    tokens.add(t);
                }
            }
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < tokens.size(); i++) {
                ids.put(tokens.get(i), i);
            }
            return new Vocabulary(List.copyOf(tokens), Map.copyOf(ids));
        }

        public int size() {
            return tokens.size();
        }

        public int id(String token) {
            return ids.getOrDefault(token, 0);
        }
    }
}
