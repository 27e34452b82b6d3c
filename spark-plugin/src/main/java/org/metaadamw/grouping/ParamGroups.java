package org.metaadamw.grouping;

import org.deeplearning4j.nn.api.Model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network's parameter groups: which tensor belongs to which group (algorithm.md section 2).
 * Group ids are dense ({@code 0..G-1}) and deterministic: the same network and strategy give the
 * same ids in the same order. Non-trainable tensors (no-op updater) belong to no group.
 *
 * <p>Immutable and serializable.
 */
public final class ParamGroups implements Serializable {
    private static final long serialVersionUID = 1L;

    private final GroupingStrategy strategy;
    private final List<ParamTensor> tensors;
    private final int[] groupOfTensor;
    private final List<String> names;
    private final List<List<ParamTensor>> members;
    private final long numParams;

    private ParamGroups(GroupingStrategy strategy, List<ParamTensor> tensors, int[] groupOfTensor,
                        List<String> names, List<List<ParamTensor>> members) {
        this.strategy = strategy;
        this.tensors = List.copyOf(tensors);
        this.groupOfTensor = groupOfTensor;
        this.names = List.copyOf(names);
        List<List<ParamTensor>> m = new ArrayList<>();
        for (List<ParamTensor> l : members) {
            m.add(List.copyOf(l));
        }
        this.members = Collections.unmodifiableList(m);
        this.numParams = tensors.stream().mapToLong(ParamTensor::length).sum();
    }

    /** Groups the parameters of an initialised network. */
    public static ParamGroups of(Model net, GroupingStrategy strategy) {
        return of(NetworkParams.inspect(net), strategy);
    }

    /** Groups the given tensors (in flattened order). */
    public static ParamGroups of(List<ParamTensor> tensors, GroupingStrategy strategy) {
        // key -> sort key, so that ids follow a meaningful and stable order
        Map<String, String> sortKey = new LinkedHashMap<>();
        String[] keyOfTensor = new String[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            ParamTensor t = tensors.get(i);
            if (!t.trainable()) {
                continue;
            }
            String part = t.bias() ? "bias" : "weights";
            String key, order;
            switch (strategy) {
                case FINE -> {
                    String depth = switch (t.depthBucket()) {
                        case 0 -> "shallow";
                        case 1 -> "middle";
                        default -> "deep";
                    };
                    key = t.kind().label() + "/" + depth + "/" + part;
                    order = String.format("%02d/%d/%d", t.kind().ordinal(), t.depthBucket(), t.bias() ? 1 : 0);
                }
                case LAYER -> {
                    key = t.layerName() + "/" + part;
                    order = String.format("%06d/%d", t.layerIndex(), t.bias() ? 1 : 0);
                }
                default -> {
                    key = "all";
                    order = "0";
                }
            }
            keyOfTensor[i] = key;
            sortKey.putIfAbsent(key, order);
        }
        TreeMap<String, String> byOrder = new TreeMap<>();
        sortKey.forEach((k, o) -> byOrder.put(o + "#" + k, k));
        List<String> names = new ArrayList<>(byOrder.values());
        Map<String, Integer> id = new LinkedHashMap<>();
        for (String n : names) {
            id.put(n, id.size());
        }
        int[] groupOf = new int[tensors.size()];
        List<List<ParamTensor>> members = new ArrayList<>();
        for (int g = 0; g < names.size(); g++) {
            members.add(new ArrayList<>());
        }
        for (int i = 0; i < tensors.size(); i++) {
            if (keyOfTensor[i] == null) {
                groupOf[i] = -1;
            } else {
                groupOf[i] = id.get(keyOfTensor[i]);
                members.get(groupOf[i]).add(tensors.get(i));
            }
        }
        return new ParamGroups(strategy, tensors, groupOf, names, members);
    }

    public GroupingStrategy strategy() {
        return strategy;
    }

    /** G, the number of groups (&gt;= 1). */
    public int count() {
        return names.size();
    }

    public String name(int group) {
        return names.get(group);
    }

    public List<String> names() {
        return names;
    }

    /** All tensors in flattened order, trainable or not. */
    public List<ParamTensor> tensors() {
        return tensors;
    }

    /** Group of tensor {@code i} of {@link #tensors()}, or -1 for a non-trainable tensor. */
    public int groupOfTensor(int i) {
        return groupOfTensor[i];
    }

    public List<ParamTensor> members(int group) {
        return members.get(group);
    }

    /** Total number of parameters of the network (all tensors). */
    public long numParams() {
        return numParams;
    }

    /** Number of scalars in the group. */
    public long size(int group) {
        return members.get(group).stream().mapToLong(ParamTensor::length).sum();
    }

    /** Fraction of the group's scalars that are biases or normalization gains/shifts. */
    public double biasRatio(int group) {
        long b = members.get(group).stream().filter(ParamTensor::bias).mapToLong(ParamTensor::length).sum();
        return (double) b / size(group);
    }

    /** Size-weighted mean normalized depth of the group's tensors, in [0, 1]. */
    public double depth(int group) {
        double s = 0;
        for (ParamTensor t : members.get(group)) {
            s += t.depth() * t.length();
        }
        return s / size(group);
    }

    /** Group id → member parameter names, one line per group, for logs and reports. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("parameter groups (").append(strategy.name().toLowerCase(java.util.Locale.ROOT)).append(", G=")
          .append(count()).append(")\n");
        for (int g = 0; g < count(); g++) {
            sb.append(String.format("  %3d %-28s %10d params  ", g, names.get(g), size(g)));
            List<String> ms = new ArrayList<>();
            for (ParamTensor t : members.get(g)) {
                ms.add(t.name());
            }
            sb.append(String.join(", ", ms)).append('\n');
        }
        long frozen = 0;
        List<String> fr = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (groupOfTensor[i] < 0) {
                frozen += tensors.get(i).length();
                fr.add(tensors.get(i).name());
            }
        }
        if (frozen > 0) {
            sb.append(String.format("  (not optimised: %d params: %s)%n", frozen, String.join(", ", fr)));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return describe();
    }
}
