package org.metaadamw.examples.tasks;

import org.junit.jupiter.api.Test;
import org.metaadamw.train.NetModel;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The workers' forward-only start-of-round validation pass (for controllers that read no gv0) gives
 * the loss of the forward-backward pass to the last bit on every task model: LSTMs with masks, the
 * encoder-decoder graph, the CNN, the MLP. So the default objective trains exactly as before the
 * pass was cut. Real data, quick scale.
 */
class ForwardLossParityTest {
    @Test
    void theForwardLossEqualsTheForwardBackwardLossOnEveryTask() {
        assertAll(Task.ALL.stream().map(name -> () -> {
            Task task = Task.byName(name);
            Task.Data data = task.load(Task.Scale.QUICK, 0);
            NetModel net = new NetModel(task.model(data, 3));
            for (int i = 0; i < Math.min(3, data.valid().size()); i++) {
                DataSet d = data.valid().get(i);
                double full = net.computeGradient(d), forward = net.loss(d);
                assertEquals(full, forward, 0.0, name + ", validation minibatch " + i);
            }
        }));
    }
}
