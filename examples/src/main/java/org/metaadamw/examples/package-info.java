/**
 * The runnable jobs: README command 1 ({@link org.metaadamw.examples.MainJob}), the five task jobs
 * (bodies in {@link org.metaadamw.examples.TaskJob} and {@link org.metaadamw.examples.TaskRunner}),
 * the cluster jobs the integration suites submit, and their checkpoint state
 * ({@link org.metaadamw.examples.JobState}).
 */
package org.metaadamw.examples;
