package org.metaadamw.examples.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A multivariate time series from CSV with a header, a date/time column and numeric columns
 * (the ETT layout: {@code date,HUFL,...,OT}). Optionally long format: a group column (for example a
 * location) whose groups are pivoted into separate series aligned on the time column.
 */
public final class TimeSeriesCsv {
    private TimeSeriesCsv() {
    }

    /**
     * @param times   time stamps, in file order (sorted when pivoted)
     * @param columns series names ({@code group.column} when pivoted)
     * @param values  [time][series]
     */
    public record Series(List<String> times, List<String> columns, double[][] values) {
        public int length() {
            return values.length;
        }
    }

    /**
     * @param timeColumn   header name of the time column; null: {@code date} if the header has one (ETT),
     *                     else the first column
     * @param valueColumns header names of the numeric columns; empty = every column but time and group
     * @param groupColumn  header name of the group column for long-format files, or null
     */
    public static Series read(Path csv, String timeColumn, List<String> valueColumns, String groupColumn) throws IOException {
        try (BufferedReader r = TextFiles.open(csv)) {
            String header = r.readLine();
            if (header == null) {
                throw new DataFormatException(csv, 1, "empty file: expected a header line");
            }
            List<String> names = Arrays.asList(header.split(",", -1));
            if (timeColumn == null) {
                timeColumn = names.contains("date") ? "date" : names.get(0);
            }
            int t = index(csv, names, timeColumn);
            int g = groupColumn == null ? -1 : index(csv, names, groupColumn);
            List<String> cols = new ArrayList<>(valueColumns);
            if (cols.isEmpty()) {
                for (String n : names) {
                    if (!n.equals(timeColumn) && !n.equals(groupColumn)) {
                        cols.add(n);
                    }
                }
            }
            int[] idx = new int[cols.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = index(csv, names, cols.get(i));
            }
            Map<String, Map<String, double[]>> byGroup = new LinkedHashMap<>();
            List<String> order = new ArrayList<>();
            String line;
            long lineNo = 1;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (f.length != names.size()) {
                    throw new DataFormatException(csv, lineNo, "expected " + names.size() + " fields, found " + f.length);
                }
                double[] v = new double[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    String s = f[idx[i]].trim();
                    try {
                        v[i] = Double.parseDouble(s);
                    } catch (NumberFormatException e) {
                        throw new DataFormatException(csv, lineNo, "column '" + cols.get(i) + "': '" + s + "' is not a number");
                    }
                    if (!Double.isFinite(v[i])) {
                        throw new DataFormatException(csv, lineNo, "column '" + cols.get(i) + "': value is not finite");
                    }
                }
                String group = g < 0 ? "" : f[g].trim();
                Map<String, double[]> rows = byGroup.computeIfAbsent(group, k -> g < 0 ? new LinkedHashMap<>() : new TreeMap<>());
                String time = f[t].trim();
                if (rows.put(time, v) != null) {
                    throw new DataFormatException(csv, lineNo, "time '" + time + "' appears twice" + (g < 0 ? "" : " in group '" + group + "'"));
                }
                if (g < 0) {
                    order.add(time);
                }
            }
            if (byGroup.isEmpty()) {
                throw new DataFormatException(csv, lineNo, "no data rows");
            }
            if (g < 0) {
                Map<String, double[]> rows = byGroup.get("");
                double[][] values = new double[order.size()][];
                for (int i = 0; i < order.size(); i++) {
                    values[i] = rows.get(order.get(i));
                }
                return new Series(order, cols, values);
            }
            // pivot: times present in every group, sorted
            List<String> times = new ArrayList<>(byGroup.values().iterator().next().keySet());
            for (Map<String, double[]> rows : byGroup.values()) {
                times.retainAll(rows.keySet());
            }
            List<String> outCols = new ArrayList<>();
            for (String grp : byGroup.keySet()) {
                for (String c : cols) {
                    outCols.add(grp + "." + c);
                }
            }
            double[][] values = new double[times.size()][outCols.size()];
            for (int i = 0; i < times.size(); i++) {
                int k = 0;
                for (Map<String, double[]> rows : byGroup.values()) {
                    double[] v = rows.get(times.get(i));
                    System.arraycopy(v, 0, values[i], k, v.length);
                    k += v.length;
                }
            }
            return new Series(times, outCols, values);
        }
    }

    private static int index(Path csv, List<String> names, String column) throws DataFormatException {
        int i = names.indexOf(column);
        if (i < 0) {
            throw new DataFormatException(csv, 1, "no column '" + column + "' in header " + names);
        }
        return i;
    }
}
