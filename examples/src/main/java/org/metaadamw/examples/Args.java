package org.metaadamw.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code --name value} command-line options of the example jobs; {@code --help} maps to "help"; an
 * option followed by another option or by nothing is a flag (value "true"), e.g. {@code --resume}.
 */
public final class Args {
    private Args() {
    }

    public static Map<String, String> parse(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                m.put("help", "");
            } else if (a.startsWith("--") && a.length() > 2) {
                boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
                m.put(a.substring(2), flag ? "true" : args[++i]);
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (see --help)");
            }
        }
        return m;
    }

    /**
     * Refuses an option that is neither {@code --help}, one of {@code known}, nor accepted by
     * {@code alsoAllowed}, naming the closest known one.
     */
    public static void requireKnown(Map<String, String> opt, Set<String> known, Predicate<String> alsoAllowed) {
        for (String k : opt.keySet()) {
            if (!k.equals("help") && !known.contains(k) && !alsoAllowed.test(k)) {
                throw new IllegalArgumentException("unknown option --" + k + " (did you mean --"
                        + org.metaadamw.config.MetaAdamWConf.closest(k, known) + "?); see --help");
            }
        }
    }

    /**
     * Prints one result line that tests and scripts parse from a job's output, in one write.
     * {@code PrintStream.printf} writes a line piece by piece, so where stdout and stderr go to one
     * file (spark-submit's output redirected as a whole) a Spark log line can land inside it.
     */
    public static void printResult(String format, Object... args) {
        System.out.println(String.format(java.util.Locale.ROOT, format, args));
    }
}
