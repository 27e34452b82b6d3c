/**
 * Configuration: the one registry of typed {@code spark.metaadamw.*} settings
 * ({@link org.metaadamw.config.MetaAdamWConf}: key, type, default, documentation, validation),
 * the immutable {@link org.metaadamw.config.MetaAdamWConfig} built from it, and the generator of
 * {@code docs/configuration.md}.
 *
 * <p>API: {@code MetaAdamWConfig} and its builder, {@code MetaAdamWConf} (the keys, each a
 * {@code ConfigEntry}: key, type, default, documentation). Internal (public for the build, which
 * runs it): {@code ConfigReference}, the generator of the configuration reference.
 */
package org.metaadamw.config;
