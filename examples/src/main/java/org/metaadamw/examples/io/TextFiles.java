package org.metaadamw.examples.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens UTF-8 text files, gunzipping those whose name ends in {@code .gz}. Bytes that are not UTF-8
 * (a Latin-1 file, say) are refused naming the file and the line, not replaced by U+FFFD.
 */
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
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(in, decoder), 1 << 16) {
            @Override
            public String readLine() throws IOException {
                try {
                    return super.readLine();
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw notUtf8(file);
                }
            }

            @Override
            public int read(char[] buf, int off, int len) throws IOException {
                try {
                    return super.read(buf, off, len);
                } catch (java.nio.charset.CharacterCodingException e) {
                    throw notUtf8(file);
                }
            }
        };
    }

    /** The error for a file that is not UTF-8, with the first line that does not decode (the reader decodes ahead). */
    private static DataFormatException notUtf8(Path file) throws IOException {
        byte[] all;
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw) {
            all = in.readAllBytes();
        }
        long line = 1;
        int start = 0;
        for (int i = 0; i <= all.length; i++) {
            if (i == all.length || all[i] == '\n') {
                try {
                    StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(all, start, i - start));
                } catch (java.nio.charset.CharacterCodingException bad) {
                    break;
                }
                line++;
                start = i + 1;
            }
        }
        return new DataFormatException(file, line, "not valid UTF-8, the encoding these readers expect "
                + "(convert it first, e.g. iconv -f latin1 -t utf-8)");
    }
}
