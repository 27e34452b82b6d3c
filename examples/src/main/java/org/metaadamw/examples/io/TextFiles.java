package org.metaadamw.examples.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens UTF-8 text files, gunzipping those whose name ends in {@code .gz}. */
final class TextFiles {
    private TextFiles() {
    }

    static BufferedReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataFormatException(file, 0, "no such file");
        }
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) {
            in = new GZIPInputStream(in, 1 << 16);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    }
}
