package org.metaadamw.notebook;

import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.execution.LocalExecutionControlProvider;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A Jupyter kernel for Java cells: each cell is split into statements and evaluated by the JDK's
 * JShell with local execution, so the cells run in this JVM, beside Spark (local mode or a cluster's
 * driver) and everything on its class path. Variables and imports live on between cells. The value
 * of a cell's last expression is shown as text; {@link Notebook} shows images. A compile error or an
 * exception becomes an error output naming the line. Cells run one at a time, on the kernel's
 * execution thread.
 *
 * <p>Known limit: classes and lambdas defined in cells live in JShell's class loader, which Spark's
 * executors do not see; keep what runs on executors on the library's API (the Estimator, Minibatches).
 *
 * <p>Start: {@code java -cp CLASSPATH org.metaadamw.notebook.JShellKernel CONNECTION_FILE} (what the
 * kernelspec written by {@code notebooks/kernel/install.sh} does).
 */
public final class JShellKernel extends BaseKernel {
    private static final LanguageInfo LANGUAGE = new LanguageInfo("java", System.getProperty("java.version"), "text/x-java", ".jshell",
            "java", "java", null);
    private final JShell shell;
    private final SourceCodeAnalysis analysis;

    private JShellKernel(Builder b, Charset cs) {
        super(b.name(), b.version(), LANGUAGE, List.of(), b.history(), b.io(cs), b.comms(), b.renderer(), null, b.magics(), false,
                b.errorStyler());
        shell = JShell.builder().executionEngine(new LocalExecutionControlProvider(), Map.of()).build();
        shell.addToClasspath(System.getProperty("java.class.path"));
        analysis = shell.sourceCodeAnalysis();
    }

    /** The builder's parts, reachable from the kernel's constructor. */
    static final class Builder extends BaseKernelBuilder<Builder, JShellKernel> {
        String name() { return buildName(); }
        String version() { return buildVersion(); }
        org.dflib.jjava.jupyter.kernel.history.HistoryManager history() { return buildHistoryManager(); }
        org.dflib.jjava.jupyter.kernel.JupyterIO io(Charset cs) { return buildJupyterIO(cs); }
        org.dflib.jjava.jupyter.kernel.comm.CommManager comms() { return buildCommManager(); }
        org.dflib.jjava.jupyter.kernel.display.Renderer renderer() { return buildRenderer(); }
        org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry magics() { return buildMagicsRegistry(); }
        org.dflib.jjava.jupyter.kernel.util.StringStyler errorStyler() { return buildErrorStyler(); }

        @Override
        public JShellKernel build() {
            return new JShellKernel(this, buildJupyterIOEncoding());
        }
    }

    /** A cell that did not compile, or threw: the message Jupyter shows. */
    static final class CellException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CellException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public Object evalRaw(String code) {
        String remaining = code;
        String last = null;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) {
                break;
            }
            if (!info.completeness().isComplete()) {
                throw new CellException("incomplete statement at the end of the cell: " + remaining.strip(), null);
            }
            remaining = info.remaining();
            last = null;
            for (SnippetEvent ev : shell.eval(info.source())) {
                if (ev.causeSnippet() != null) {
                    continue;   // an update of another snippet, not the result of this one
                }
                if (ev.status() == Snippet.Status.REJECTED) {
                    String why = shell.diagnostics(ev.snippet()).map(d -> d.getMessage(java.util.Locale.ROOT))
                            .collect(Collectors.joining("; "));
                    throw new CellException("does not compile: " + info.source().strip() + "\n" + why, null);
                }
                if (ev.exception() != null) {
                    Exception e = ev.exception();
                    String type = e instanceof EvalException x ? x.getExceptionClassName() : e.getClass().getName();
                    throw new CellException(type + ": " + e.getMessage() + "\n  in: " + info.source().strip(), e);
                }
                boolean expression = ev.snippet().kind() == Snippet.Kind.EXPRESSION
                        || ev.snippet().subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
                last = expression ? ev.value() : null;
            }
        }
        return last;
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return null;
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> options = analysis.completionSuggestions(code, at, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.Completeness c = analysis.analyzeCompletion(code).completeness();
        return c.isComplete() || c == SourceCodeAnalysis.Completeness.EMPTY ? IS_COMPLETE_YES
                : c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE ? IS_COMPLETE_MAYBE : IS_COMPLETE_BAD;
    }

    @Override
    public void onShutdown(boolean restart) {
        super.onShutdown(restart);
        shell.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp CLASSPATH " + JShellKernel.class.getName() + " CONNECTION_FILE");
            System.exit(2);
        }
        KernelConnectionProperties props = KernelConnectionProperties.parse(Files.readString(Path.of(args[0])));
        JupyterConnection connection = new JupyterConnection(props);
        JShellKernel kernel = new Builder().name("metaadamw-java").version("0.1.0").build();
        System.setOut(kernel.getIO().out);
        System.setErr(kernel.getIO().err);
        System.setIn(kernel.getIO().in);
        kernel.becomeHandlerForConnection(connection);
        connection.connect();
        kernel.onStartup();
        connection.waitUntilClose();
    }
}
