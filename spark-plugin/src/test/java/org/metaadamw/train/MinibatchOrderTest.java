package org.metaadamw.train;

import org.junit.jupiter.api.Test;

import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MinibatchOrderTest {

    @Test
    void isAPermutationForEverySize() {
        for (long n = 1; n <= 700; n++) {
            for (long seed : new long[]{0, 1, 42}) {
                BitSet seen = new BitSet();
                for (long j = 0; j < n; j++) {
                    long p = MinibatchOrder.position(j, n, seed, (int) (seed % 3));
                    assertTrue(p >= 0 && p < n, "n=" + n + " j=" + j + " -> " + p);
                    assertTrue(!seen.get((int) p), "n=" + n + ": position " + p + " taken twice");
                    seen.set((int) p);
                }
                assertEquals(n, seen.cardinality());
            }
        }
        long n = 1_000_003;   // a large, odd size: still a bijection
        BitSet seen = new BitSet();
        for (long j = 0; j < n; j++) {
            seen.set((int) MinibatchOrder.position(j, n, 7, 1));
        }
        assertEquals(n, seen.cardinality());
    }

    @Test
    void neighboursInTheInputEndUpApart() {
        // time-ordered input: consecutive minibatches should rarely be trained on within one round of K = 5
        long n = 1000;
        int[] inputAt = new int[(int) n];
        for (int j = 0; j < n; j++) {
            inputAt[(int) MinibatchOrder.position(j, n, 0, 0)] = j;
        }
        int close = 0;
        double meanGap = 0;
        for (int p = 1; p < n; p++) {
            int gap = Math.abs(inputAt[p] - inputAt[p - 1]);
            meanGap += gap / (double) (n - 1);
            close += gap <= 5 ? 1 : 0;
        }
        // a uniform random permutation: mean gap n/3, P(gap ≤ 5) ≈ 10/n
        assertTrue(meanGap > 0.25 * n && meanGap < 0.42 * n, "mean gap " + meanGap);
        assertTrue(close < 20, close + " of 999 successive pairs were within 5 in the input");
    }

    @Test
    void seedsAndWorkersGiveDifferentOrders() {
        long n = 64;
        assertNotEquals(order(n, 0, 0), order(n, 1, 0));
        assertNotEquals(order(n, 0, 0), order(n, 0, 1));
        assertEquals(order(n, 5, 2), order(n, 5, 2));
        assertNotEquals(order(n, 0, 0), order(n, Long.MIN_VALUE, 0));
        int fixed = 0;
        for (long j = 0; j < n; j++) {
            fixed += MinibatchOrder.position(j, n, 0, 0) == j ? 1 : 0;
        }
        assertTrue(fixed < 8, fixed + " of 64 minibatches kept their place");
    }

    @Test
    void refusesAnIndexOutsideTheRange() {
        var e = assertThrows(IllegalArgumentException.class, () -> MinibatchOrder.position(10, 10, 0, 0));
        assertTrue(e.getMessage().contains("outside [0, 10)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MinibatchOrder.position(-1, 10, 0, 0));
    }

    private static String order(long n, long seed, int worker) {
        StringBuilder b = new StringBuilder();
        for (long j = 0; j < n; j++) {
            b.append(MinibatchOrder.position(j, n, seed, worker)).append(',');
        }
        return b.toString();
    }
}
