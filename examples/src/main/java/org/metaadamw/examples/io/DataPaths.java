package org.metaadamw.examples.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the datasets fetched by {@code examples/data/fetch-data.sh} live: {@code $METAADAMW_DATA}
 * (or the system property {@code metaadamw.data}), else {@code ~/.cache/metaadamw/data}.
 */
public final class DataPaths {
    private DataPaths() {
    }

    public static Path root() {
        String p = System.getProperty("metaadamw.data");
        if (p == null || p.isBlank()) {
            p = System.getenv("METAADAMW_DATA");
        }
        if (p == null || p.isBlank()) {
            return Path.of(System.getProperty("user.home"), ".cache", "metaadamw", "data");
        }
        return Path.of(p);
    }

    /**
     * The folder of a fetched dataset.
     *
     * @throws IllegalStateException if it has not been fetched, saying how to fetch it
     */
    public static Path dataset(String name) {
        Path dir = root().resolve(name);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("dataset '" + name + "' not found in " + root()
                    + ": run examples/data/fetch-data.sh " + name + " (or set METAADAMW_DATA)");
        }
        return dir;
    }
}
