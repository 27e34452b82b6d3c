package org.metaadamw.meta;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The log output map with a floor and a ceiling of its own: range, smoothness at 0, the symmetric case unchanged. */
class OutputMapTest {
    private static double alpha(OutputMap m, double z) {
        return m.apply(new double[]{z, 0, 0, 0}, 0.0).alpha(0);
    }

    private static double slope(OutputMap m, double z) {
        return m.backward(new double[]{z, 0, 0, 0}, 0.0, new double[]{1, 0, 0, 0})[0];
    }

    @Test
    void anAsymmetricRangeIsReachedAtBothEndsAndSmoothAtZero() {
        OutputMap m = OutputMap.log(0.125, 100, 4);
        assertEquals(100, alpha(m, 60), 1e-6);
        assertEquals(0.125, alpha(m, -60), 1e-9);
        assertTrue(alpha(m, 3) > 10 && alpha(m, -3) > 0.125 && alpha(m, -3) < 0.16, alpha(m, 3) + " " + alpha(m, -3));
        assertEquals(1.0, alpha(m, 0), 0.0);
        // value and slope agree across 0 (both branches are e^z + O(z³) there)
        double h = 1e-7;
        assertEquals(alpha(m, h) - alpha(m, 0), alpha(m, 0) - alpha(m, -h), 1e-13);
        assertEquals(slope(m, h), slope(m, -h), 1e-6);
        assertEquals(1.0, slope(m, 0), 1e-12);
        // the symmetric map is the special case alphaMin = 1/alphaMax, to the last bit
        OutputMap sym = OutputMap.log(8, 4), asym = OutputMap.log(0.125, 8, 4);
        for (double z : new double[]{-5, -0.7, -1e-3, 0, 2e-3, 0.4, 6}) {
            assertEquals(alpha(sym, z), alpha(asym, z), 0.0, "z = " + z);
            assertEquals(slope(sym, z), slope(asym, z), 0.0, "z = " + z);
        }
        assertThrows(IllegalArgumentException.class, () -> OutputMap.log(1.0, 8, 4));
    }
}
