package org.metaadamw.arch;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The library's package graph, read from the compiled classes by the JDK's jdeps: acyclic, config at the bottom. */
class PackageDependencyTest {

    static Map<String, Set<String>> graph() {
        Path classes = Path.of("target/classes");
        assertTrue(Files.isDirectory(classes.resolve("org/metaadamw")), "compiled classes expected in " + classes.toAbsolutePath());
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps not in this JDK"));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", "-e", "org\\.metaadamw\\..*",
                classes.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Set<String>> g = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            String[] t = line.trim().split("\\s+");
            if (t.length >= 3 && t[0].startsWith("org.metaadamw") && t[1].equals("->") && t[2].startsWith("org.metaadamw")
                    && !t[0].equals(t[2])) {
                g.computeIfAbsent(t[0], k -> new TreeSet<>()).add(t[2]);
            }
        }
        assertTrue(g.size() >= 5, "jdeps output not understood:\n" + out);
        return g;
    }

    @Test
    void packagesFormNoCycle() {
        Map<String, Set<String>> g = graph();
        Map<String, Integer> state = new TreeMap<>();
        for (String p : g.keySet()) {
            List<String> path = new ArrayList<>();
            assertTrue(acyclic(p, g, state, path), "package cycle: " + String.join(" -> ", path) + "\n" + g);
        }
    }

    @Test
    void configDependsOnNoOtherLibraryPackage() {
        Set<String> deps = graph().getOrDefault("org.metaadamw.config", Set.of());
        assertTrue(deps.isEmpty(), "org.metaadamw.config depends on " + deps);
    }

    private static boolean acyclic(String p, Map<String, Set<String>> g, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(p);
        if (s != null) {
            if (s == 1) {
                path.add(p);
            }
            return s == 2;
        }
        state.put(p, 1);
        path.add(p);
        for (String q : g.getOrDefault(p, Set.of())) {
            if (!acyclic(q, g, state, path)) {
                return false;
            }
        }
        path.remove(path.size() - 1);
        state.put(p, 2);
        return true;
    }
}
