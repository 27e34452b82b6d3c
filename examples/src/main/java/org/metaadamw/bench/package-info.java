/**
 * Benchmarks that print a table and write JSON: quality and the learning-rate sweep, the Spark round
 * cost, scaling with model size and workers, and the JMH benchmarks of the driver meta-step and the
 * worker statistics (docs/benchmarks.md, docs/results.md).
 */
package org.metaadamw.bench;
