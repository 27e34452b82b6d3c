/**
 * Parameter groups: how a DL4J network's flat parameter vector is split into the groups that get
 * their own multipliers ({@link org.metaadamw.grouping.GroupingStrategy}: fine, the default, by layer
 * kind, depth and bias; layer; single).
 *
 * <p>API: {@code ParamGroups} (read-only: names, sizes, offsets), {@code GroupingStrategy},
 * {@code LayerKind}, {@code ParamTensor}. Internal (public for the trainers): {@code NetworkParams}.
 */
package org.metaadamw.grouping;
