package org.metaadamw.notebook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the kernelspec of {@link JShellKernel}: {@code DIR/metaadamw-java/kernel.json}, which
 * {@code jupyter kernelspec install DIR/metaadamw-java} then installs. {@code install.sh} and the
 * notebook test both use it.
 *
 * <p>Usage: {@code java -cp CP org.metaadamw.notebook.InstallKernel DIR CLASSPATH [JVM_OPTION ...]}.
 */
public final class InstallKernel {
    /** The kernel's name: notebooks name it in their metadata. */
    public static final String NAME = "metaadamw-java";

    private InstallKernel() {
    }

    /**
     * @param java       the java executable the kernel runs with
     * @param classpath  the kernel's class path: this module, Spark, the library, the examples
     * @param jvmOptions e.g. Spark's Java 17 --add-opens list, -Xmx, ND4J's off-heap limits
     * @return the kernelspec directory written
     */
    public static Path write(Path dir, String java, String classpath, String... jvmOptions) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode spec = json.createObjectNode();
        ArrayNode argv = spec.putArray("argv");
        argv.add(java);
        Arrays.stream(jvmOptions).filter(o -> !o.isBlank()).forEach(argv::add);
        argv.add("-cp").add(classpath).add(JShellKernel.class.getName()).add("{connection_file}");
        spec.put("display_name", "Java (MetaAdamW)").put("language", "java");
        spec.putObject("metadata").put("debugger", false);
        Path out = dir.resolve(NAME);
        Files.createDirectories(out);
        json.writerWithDefaultPrettyPrinter().writeValue(out.resolve("kernel.json").toFile(), spec);
        return out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java -cp CP " + InstallKernel.class.getName() + " DIR CLASSPATH [JVM_OPTION ...]");
            System.exit(2);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        System.out.println(write(Path.of(args[0]), java, args[1], Arrays.copyOfRange(args, 2, args.length)));
    }
}
