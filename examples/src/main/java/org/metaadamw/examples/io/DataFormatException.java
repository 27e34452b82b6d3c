package org.metaadamw.examples.io;

import java.io.IOException;
import java.nio.file.Path;

/** Malformed input: names the file, the line (when there is one) and the reason. */
public final class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(Path file, long line, String reason) {
        super(file + (line > 0 ? ":" + line : "") + ": " + reason);
    }
}
