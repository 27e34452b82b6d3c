/**
 * Readers of the datasets the fetch step downloads (IDX, CIFAR binary, CSV time series, text corpora
 * and parallel text), with errors that name the file and line.
 */
package org.metaadamw.examples.io;
