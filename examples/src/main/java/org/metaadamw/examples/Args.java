package org.metaadamw.examples;

import java.util.LinkedHashMap;
import java.util.Map;

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
}
