package org.metaadamw.examples.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parallel text for translation: two line-aligned files (Multi30k layout: {@code train.de} /
 * {@code train.en}, optionally gzipped), and a converter from the Ding dictionary format
 * ({@code Deutsch :: English}, sub-entries split by {@code |}) to sentence pairs.
 */
public final class ParallelText {
    private ParallelText() {
    }

    public record Pair(String source, String target) {
    }

    /** Line i of {@code source} with line i of {@code target}; the files must have the same number of lines. */
    public static List<Pair> read(Path source, Path target) throws IOException {
        List<Pair> out = new ArrayList<>();
        try (BufferedReader s = TextFiles.open(source); BufferedReader t = TextFiles.open(target)) {
            long n = 0;
            while (true) {
                String a = s.readLine(), b = t.readLine();
                n++;
                if (a == null && b == null) {
                    break;
                }
                if (a == null || b == null) {
                    Path shorter = a == null ? source : target;
                    throw new DataFormatException(shorter, n, "ends before " + (a == null ? target : source)
                            + ": the files are not line-aligned");
                }
                out.add(new Pair(a.trim(), b.trim()));
            }
        }
        return out;
    }

    private static final Pattern BRACES = Pattern.compile("\\{[^}]*\\}|\\[[^]]*\\]");
    private static final Pattern END = Pattern.compile(".*[.?!]$");

    /**
     * Whole-sentence pairs of a Ding dictionary file (German–English): aligned sub-entries where both
     * sides end in {@code . ? !}, have at least {@code minWords} words and no {@code ;}, with
     * {@code {..}} and {@code [..]} annotations removed.
     */
    public static List<Pair> dingSentences(Path file, int minWords) throws IOException {
        List<Pair> out = new ArrayList<>();
        try (BufferedReader r = TextFiles.open(file)) {
            String line;
            long n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                int sep = line.indexOf(" :: ");
                if (sep < 0) {
                    throw new DataFormatException(file, n, "expected 'Deutsch :: English'");
                }
                String[] de = line.substring(0, sep).split(" \\| ", -1), en = line.substring(sep + 4).split(" \\| ", -1);
                for (int i = 0; i < Math.min(de.length, en.length); i++) {
                    String a = clean(de[i]), b = clean(en[i]);
                    if (a.contains(";") || b.contains(";") || !END.matcher(a).matches() || !END.matcher(b).matches()) {
                        continue;
                    }
                    if (a.split("\\s+").length < minWords || b.split("\\s+").length < minWords) {
                        continue;
                    }
                    out.add(new Pair(a, b));
                }
            }
        }
        return out;
    }

    private static String clean(String s) {
        return BRACES.matcher(s).replaceAll("").replaceAll("\\s+", " ").trim();
    }
}
