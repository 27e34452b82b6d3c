package org.metaadamw.config;

import java.util.List;

/** The names {@code org.apache.spark.storage.StorageLevel.fromString} accepts (Spark 3.5), without depending on Spark here. */
final class StorageLevels {
    static final List<String> NAMES = List.of("NONE", "DISK_ONLY", "DISK_ONLY_2", "DISK_ONLY_3", "MEMORY_ONLY", "MEMORY_ONLY_2",
            "MEMORY_ONLY_SER", "MEMORY_ONLY_SER_2", "MEMORY_AND_DISK", "MEMORY_AND_DISK_2", "MEMORY_AND_DISK_SER",
            "MEMORY_AND_DISK_SER_2", "OFF_HEAP");

    private StorageLevels() {
    }
}
