package org.metaadamw.examples.tasks;

import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

final class Batches {
    private Batches() {
    }

    static List<DataSet> of(DataSet all, int batch) {
        List<DataSet> out = new ArrayList<>();
        if (all.numExamples() == 0) {
            return out;
        }
        out.addAll(all.batchBy(batch));
        return out;
    }
}
