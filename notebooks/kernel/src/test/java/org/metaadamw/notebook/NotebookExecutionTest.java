package org.metaadamw.notebook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The quick-start notebook runs: the kernel is installed into a temporary Jupyter path with
 * {@code jupyter kernelspec install}, and Jupyter's own nbconvert executes the notebook headless (a
 * cell that fails fails the conversion). The executed notebook must hold no error output, the two
 * charts as PNG images, and the check that the reloaded model predicts the same. The Debian packages
 * of Jupyter are installed when missing and this runs as root; otherwise the test fails saying what
 * to install. It is never skipped.
 */
class NotebookExecutionTest {
    private static final List<String> PACKAGES = List.of("jupyter-nbconvert", "python3-nbclient", "jupyter-client", "python3-ipykernel");
    private static final Path NBCONVERT = Path.of("/usr/bin/jupyter-nbconvert");

    private static String run(Path dir, long timeoutSeconds, java.util.Map<String, String> env, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile(dir, "cmd", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (!done || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + (done ? " exited with " + p.exitValue() : " timed out") + ":\n" + tail(out));
        }
        return out;
    }

    private static String tail(String s) {
        return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    }

    /** A notebook text field: a string, or (nbformat 4) an array of lines. */
    private static String joined(JsonNode n) {
        if (!n.isArray()) {
            return n.asText();
        }
        StringBuilder b = new StringBuilder();
        n.forEach(line -> b.append(line.asText()));
        return b.toString();
    }

    /** Installs Jupyter from Debian when it is missing and we may; else says what to install. */
    private static void ensureJupyter(Path dir) throws Exception {
        if (Files.isExecutable(NBCONVERT)) {
            return;
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root) {
            fail("Jupyter is missing: run  sudo apt-get install -y " + String.join(" ", PACKAGES) + "  (Debian/Ubuntu)");
        }
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        install.addAll(PACKAGES);
        var env = java.util.Map.of("DEBIAN_FRONTEND", "noninteractive");
        try {
            run(dir, 900, env, install.toArray(new String[0]));
        } catch (AssertionError first) {   // a fresh machine may not have the package lists yet
            run(dir, 900, env, "apt-get", "update");
            run(dir, 900, env, install.toArray(new String[0]));
        }
        assertTrue(Files.isExecutable(NBCONVERT), NBCONVERT + " missing after installing " + PACKAGES);
    }

    @Test
    void theQuickStartNotebookRunsWithTheInstalledKernel() throws Exception {
        Path work = Path.of("target", "notebook-test").toAbsolutePath();
        if (Files.exists(work)) {
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        Files.createDirectories(work);
        ensureJupyter(work);

        // the kernel on this test's class path (this module, Spark, the library, the examples)
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> jvm = new ArrayList<>(List.of(System.getProperty("metaadamw.javaOpens", "").split("\\s+")));
        jvm.addAll(List.of("-Xmx3g", "-Dorg.bytedeco.javacpp.maxbytes=3G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=7G"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path spec = InstallKernel.write(work.resolve("spec"), javaBin, classpath, jvm.toArray(new String[0]));
        Path prefix = work.resolve("jupyter");
        run(work, 120, java.util.Map.of(), "/usr/bin/jupyter", "kernelspec", "install", "--replace", "--name", InstallKernel.NAME,
                "--prefix", prefix.toString(), spec.toString());
        Path kernels = prefix.resolve("share/jupyter");
        assertTrue(Files.exists(kernels.resolve("kernels").resolve(InstallKernel.NAME).resolve("kernel.json")), "kernelspec not installed");

        Path notebook = Path.of(System.getProperty("metaadamw.notebooks"), "metaadamw-quickstart.ipynb");
        Files.copy(notebook, work.resolve("quickstart.ipynb"));
        var env = java.util.Map.of("JUPYTER_PATH", kernels.toString(), "JUPYTER_DATA_DIR", work.resolve("data").toString());
        run(work, 900, env, NBCONVERT.toString(), "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                "--ExecutePreprocessor.kernel_name=" + InstallKernel.NAME, "--output", "executed.ipynb", "quickstart.ipynb");

        JsonNode executed = new ObjectMapper().readTree(work.resolve("executed.ipynb").toFile());
        int images = 0, errors = 0;
        StringBuilder text = new StringBuilder();
        for (JsonNode cell : executed.path("cells")) {
            for (JsonNode o : cell.path("outputs")) {
                errors += o.path("output_type").asText().equals("error") ? 1 : 0;
                images += o.path("data").has("image/png") ? 1 : 0;
                text.append(joined(o.path("data").path("text/plain"))).append(joined(o.path("text"))).append('\n');
            }
        }
        System.out.println("executed notebook outputs:\n" + text);
        assertEquals(0, errors, "error outputs in the executed notebook:\n" + text);
        assertEquals(2, images, "the two charts");
        assertTrue(text.toString().contains("the reloaded model predicts the same"), text.toString());
        assertTrue(text.toString().matches("(?s).*\\{adamw=0\\.\\d+, metaadamw=0\\.\\d+}.*"), "the accuracies:\n" + text);
    }
}
