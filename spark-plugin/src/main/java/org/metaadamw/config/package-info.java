/**
 * Configuration: the one registry of typed {@code spark.metaadamw.*} settings
 * ({@link org.metaadamw.config.MetaAdamWConf}: key, type, default, documentation, validation),
 * the immutable {@link org.metaadamw.config.MetaAdamWConfig} built from it, and the generator of
 * {@code docs/configuration.md}.
 *
 * <p>API: {@code MetaAdamWConfig} and its builder, {@code MetaAdamWConf} (the keys).
 * {@code ConfigEntry} and {@code ConfigReference} are public for the plugin and the build, not for
 * applications.
 */
package org.metaadamw.config;
