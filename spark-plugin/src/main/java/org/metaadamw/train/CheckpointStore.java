package org.metaadamw.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.metaadamw.update.AdamWState;
import org.metaadamw.update.L3rsState;
import org.metaadamw.update.LstmState;
import org.metaadamw.update.MadaState;
import org.metaadamw.update.Modulation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training checkpoints in a directory of any Hadoop FileSystem (local, HDFS, ...): one
 * sub-directory {@code round-NNNNNNNNN} per checkpoint, holding {@code network.zip} (a DL4J model zip
 * with the parameters; plain DL4J loads it), {@code adam.bin} (AdamW m and v; MADA's m and v when the
 * workers run MADA or L3RS), {@code mada.bin} (MADA's n, v̄, g_(t−1) and Lion momentum ℓ, only then),
 * {@code l3rs.bin} (L3RS's SGD momentum b, only when the workers run L3RS), {@code lstm.bin} (the
 * coordinatewise LSTM's hidden and cell states, 4H values per parameter, only when the workers run it;
 * {@code adam.bin} then holds zeros and the Adam step the LSTM's step count), {@code trace.bin}
 * (the step trace, when there is one), {@code state.json} (round, Adam step, cursors, modulation,
 * the controller's full state, the per-round history) and {@code manifest.json} (format version,
 * provenance, the SHA-256 of every other file). A checkpoint is written under a temporary name and
 * renamed into place, so a reader never sees half of one; the last {@code keep} are kept.
 *
 * <p>Loading checks the format version, every checksum, the parameter count and the group names,
 * and names the file and the reason when one does not fit. Driver-side; not thread-safe.
 */
public final class CheckpointStore {
    /** Version of the layout; loading refuses any other. */
    public static final int FORMAT_VERSION = 1;
    private static final String PREFIX = "round-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final FileSystem fs;
    private final int keep;

    /**
     * @param dir  the checkpoint directory (created when missing)
     * @param keep how many checkpoints to keep, &gt;= 1
     */
    public CheckpointStore(String dir, Configuration hadoop, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1 (got " + keep + ")");
        }
        this.dir = new Path(dir);
        this.fs = this.dir.getFileSystem(hadoop);
        this.keep = keep;
    }

    /**
     * What a checkpoint holds.
     *
     * @param validationCursor the trainer's validation cursor
     * @param groupNames       the parameter groups, in order (checked on load)
     * @param provenance       resolved configuration, seeds and versions, written to the manifest
     */
    public record Content(Model network, AdamWState adam, RoundCoordinator.State coordinator, long validationCursor,
                          List<String> groupNames, Map<String, String> provenance, MadaState mada, L3rsState l3rs, LstmState lstm) {

        /** A checkpoint of a run whose workers run AdamW, MADA or L3RS. */
        public Content(Model network, AdamWState adam, RoundCoordinator.State coordinator, long validationCursor,
                       List<String> groupNames, Map<String, String> provenance, MadaState mada, L3rsState l3rs) {
            this(network, adam, coordinator, validationCursor, groupNames, provenance, mada, l3rs, null);
        }

        /**
         * A checkpoint of a run whose workers run the coordinatewise LSTM: {@code lstm.bin} holds its state,
         * {@code adam.bin} zeros (it has no moments), the Adam step its step count.
         */
        public static Content lstm(Model network, LstmState lstm, RoundCoordinator.State coordinator, long validationCursor,
                                   List<String> groupNames, Map<String, String> provenance) {
            INDArray zero = org.nd4j.linalg.factory.Nd4j.zeros(network.params().dataType(), network.numParams());
            return new Content(network, new AdamWState(zero, zero.dup(), lstm.step()), coordinator, validationCursor, groupNames,
                    provenance, null, null, lstm);
        }

        /** A checkpoint of a run whose workers run AdamW. */
        public Content(Model network, AdamWState adam, RoundCoordinator.State coordinator, long validationCursor,
                       List<String> groupNames, Map<String, String> provenance) {
            this(network, adam, coordinator, validationCursor, groupNames, provenance, null, null);
        }

        /** A checkpoint of a run whose workers run AdamW ({@code mada} null) or MADA. */
        public Content(Model network, AdamWState adam, RoundCoordinator.State coordinator, long validationCursor,
                       List<String> groupNames, Map<String, String> provenance, MadaState mada) {
            this(network, adam, coordinator, validationCursor, groupNames, provenance, mada, null);
        }

        /**
         * A checkpoint of a run whose workers run L3RS: {@code adam.bin} holds its m and v, the Adam step its
         * step count, {@code l3rs.bin} its SGD momentum b.
         */
        public static Content l3rs(Model network, L3rsState l3rs, RoundCoordinator.State coordinator, long validationCursor,
                                   List<String> groupNames, Map<String, String> provenance) {
            return new Content(network, new AdamWState(l3rs.m(), l3rs.v(), l3rs.step()), coordinator, validationCursor, groupNames,
                    provenance, null, l3rs);
        }

        /**
         * A checkpoint of a run whose workers run MADA: {@code adam.bin} holds its m and v, the Adam step its
         * step count, {@code mada.bin} the other four arrays.
         */
        public static Content mada(Model network, MadaState mada, RoundCoordinator.State coordinator, long validationCursor,
                                   List<String> groupNames, Map<String, String> provenance) {
            return new Content(network, new AdamWState(mada.m(), mada.v(), mada.step()), coordinator, validationCursor, groupNames,
                    provenance, mada);
        }
    }

    /** Writes a checkpoint of round {@code content.coordinator().round()} and drops the oldest beyond {@code keep}. */
    public Path write(Content c) throws IOException {
        long round = c.coordinator().round();
        Path target = new Path(dir, String.format("%s%09d", PREFIX, round));
        Path tmp = new Path(dir, String.format(".%s%09d.tmp", PREFIX, round));
        fs.mkdirs(dir);
        if (fs.exists(tmp)) {
            fs.delete(tmp, true);
        }
        fs.mkdirs(tmp);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("network.zip", NetModel.zip(c.network()));
        files.put("adam.bin", arrays(c.adam().m(), c.adam().v()));
        if (c.mada() != null) {
            files.put("mada.bin", arrays(c.mada().n(), c.mada().vBar(), c.mada().gPrev(), c.mada().lion()));
        }
        if (c.l3rs() != null) {
            files.put("l3rs.bin", arrays(c.l3rs().b()));
        }
        if (c.lstm() != null) {
            files.put("lstm.bin", arrays(c.lstm().values()));
        }
        if (c.coordinator().trace() != null) {
            files.put("trace.bin", arrays(c.coordinator().trace()));
        }
        ObjectNode state = JSON.createObjectNode();
        state.put("round", round);
        state.put("adamStep", c.adam().step());
        if (c.lstm() != null) {
            state.put("lstmWidth", c.lstm().width());
        }
        state.put("validationCursor", c.validationCursor());
        state.put("fitStartRound", c.coordinator().fitStartRound());
        state.put("consecutiveNonFinite", c.coordinator().consecutiveNonFinite());
        Modulation m = c.coordinator().modulation();
        ObjectNode mod = state.putObject("modulation");
        double[][] parts = {m.alphas(), m.betas(), m.lambda1s(), m.lambda2s()};
        String[] names = {"alpha", "beta", "lambda1", "lambda2"};
        for (int i = 0; i < 4; i++) {
            ArrayNode a = mod.putArray(names[i]);
            for (double v : parts[i]) {
                a.add(v);
            }
        }
        state.put("controllerState", c.coordinator().controllerState());
        state.set("history", JSON.valueToTree(c.coordinator().history()));
        files.put("state.json", JSON.writeValueAsBytes(state));
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("formatVersion", FORMAT_VERSION);
        manifest.put("round", round);
        manifest.put("created", Instant.now().toString());
        manifest.put("parameters", c.adam().m().length());
        manifest.set("groups", JSON.valueToTree(c.groupNames()));
        manifest.set("provenance", JSON.valueToTree(c.provenance()));
        ObjectNode sums = manifest.putObject("sha256");
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            writeFile(new Path(tmp, f.getKey()), f.getValue());
            sums.put(f.getKey(), sha256(f.getValue()));
        }
        writeFile(new Path(tmp, "manifest.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
        if (fs.exists(target)) {
            fs.delete(target, true); // the same round again (a repeated round after a resume): same content
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            fs.delete(all.get(i), true);
        }
        return target;
    }

    /** The complete checkpoints, oldest first. */
    public List<Path> list() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!fs.exists(dir)) {
            return out;
        }
        for (FileStatus s : fs.listStatus(dir)) {
            String n = s.getPath().getName();
            if (s.isDirectory() && n.startsWith(PREFIX)) {
                out.add(s.getPath());
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }

    /**
     * What {@link #read} returns: the parts of a checkpoint the trainer restores.
     *
     * @param l3rs the L3RS state when the checkpoint holds one ({@code l3rs.bin}; its m, v and step are also in
     *             {@code adam}), else null
     * @param mada the MADA state when the checkpoint holds one ({@code mada.bin}; its m, v and step are also in
     *             {@code adam}), else null
     * @param lstm the LSTM state when the checkpoint holds one ({@code lstm.bin}), else null
     */
    public record Loaded(Path path, INDArray params, AdamWState adam, RoundCoordinator.State coordinator, long validationCursor,
                         Map<String, String> provenance, MadaState mada, L3rsState l3rs, LstmState lstm) {
    }

    /** The newest checkpoint, or null when the directory holds none. */
    public Loaded readLatest(Model expected, List<String> groupNames) throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? null : read(all.get(all.size() - 1), expected, groupNames);
    }

    /**
     * Reads and checks one checkpoint against the network it is to be restored into.
     *
     * @throws IOException naming the file and the reason: missing, truncated, corrupted (checksum), another
     *                     format version, another network (parameter count) or grouping
     */
    public Loaded read(Path cp, Model expected, List<String> groupNames) throws IOException {
        Path manifestFile = new Path(cp, "manifest.json");
        JsonNode manifest = json(manifestFile);
        int version = manifest.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IOException(manifestFile + ": format version " + version + ", this library reads " + FORMAT_VERSION);
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        var sums = manifest.path("sha256").fields();
        while (sums.hasNext()) {
            var e = sums.next();
            Path f = new Path(cp, e.getKey());
            byte[] b = readFile(f);
            if (!sha256(b).equals(e.getValue().asText())) {
                throw new IOException(f + ": checksum mismatch (the file is truncated or corrupted)");
            }
            files.put(e.getKey(), b);
        }
        for (String required : new String[]{"network.zip", "adam.bin", "state.json"}) {
            if (!files.containsKey(required)) {
                throw new IOException(manifestFile + " lists no " + required);
            }
        }
        long n = expected.numParams();
        if (manifest.path("parameters").asLong() != n) {
            throw new IOException(cp + ": a network of " + manifest.path("parameters").asLong() + " parameters, this one has " + n
                    + " (another network)");
        }
        List<String> groups = new ArrayList<>();
        manifest.path("groups").forEach(g -> groups.add(g.asText()));
        if (!groups.equals(groupNames)) {
            throw new IOException(cp + ": parameter groups " + groups + ", this network and grouping give " + groupNames);
        }
        if (!(expected instanceof ComputationGraph) && !(expected instanceof MultiLayerNetwork)) {
            throw new IOException("checkpoints hold MultiLayerNetworks and ComputationGraphs only");
        }
        Model net = NetModel.unzip(files.get("network.zip"), expected instanceof ComputationGraph);
        INDArray[] adam = arrays(files.get("adam.bin"), 2, new Path(cp, "adam.bin"));
        if (adam[0].length() != n || adam[1].length() != n) {
            throw new IOException(new Path(cp, "adam.bin") + ": an Adam state of " + adam[0].length() + " values for " + n + " parameters");
        }
        MadaState mada = null;
        if (files.containsKey("mada.bin")) {
            Path f = new Path(cp, "mada.bin");
            INDArray[] x = arrays(files.get("mada.bin"), 4, f);
            for (INDArray a : x) {
                if (a.length() != n) {
                    throw new IOException(f + ": a MADA state of " + a.length() + " values for " + n + " parameters");
                }
            }
            try {
                mada = new MadaState(adam[0], adam[1], x[0], x[1], x[2], x[3], JSON.readTree(files.get("state.json")).path("adamStep").asLong());
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        L3rsState l3rs = null;
        if (files.containsKey("l3rs.bin")) {
            Path f = new Path(cp, "l3rs.bin");
            INDArray[] x = arrays(files.get("l3rs.bin"), 1, f);
            if (x[0].length() != n) {
                throw new IOException(f + ": an L3RS state of " + x[0].length() + " values for " + n + " parameters");
            }
            try {
                l3rs = new L3rsState(adam[0], adam[1], x[0], JSON.readTree(files.get("state.json")).path("adamStep").asLong());
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        JsonNode state = JSON.readTree(files.get("state.json"));
        LstmState lstm = null;
        if (files.containsKey("lstm.bin")) {
            Path f = new Path(cp, "lstm.bin");
            INDArray[] x = arrays(files.get("lstm.bin"), 1, f);
            int width = state.path("lstmWidth").asInt(-1);
            if (width <= 0 || x[0].length() != n * width) {
                throw new IOException(f + ": an LSTM state of " + x[0].length() + " values, expected " + n + " parameters × lstmWidth "
                        + width + " (state.json)");
            }
            try {
                lstm = new LstmState(x[0], width, state.path("adamStep").asLong());
            } catch (IllegalArgumentException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
        }
        JsonNode mod = state.path("modulation");
        Modulation m = new Modulation(doubles(mod.path("alpha")), doubles(mod.path("beta")), doubles(mod.path("lambda1")),
                doubles(mod.path("lambda2")));
        INDArray trace = files.containsKey("trace.bin") ? arrays(files.get("trace.bin"), 1, new Path(cp, "trace.bin"))[0] : null;
        List<RoundRecord> history = new ArrayList<>(Arrays.asList(JSON.treeToValue(state.path("history"), RoundRecord[].class)));
        var coordinator = new RoundCoordinator.State(state.path("round").asLong(), state.path("consecutiveNonFinite").asInt(), m, trace,
                state.path("controllerState").asText(), history, state.path("fitStartRound").asLong());
        Map<String, String> provenance = new LinkedHashMap<>();
        manifest.path("provenance").fields().forEachRemaining(e -> provenance.put(e.getKey(), e.getValue().asText()));
        return new Loaded(cp, net.params(), new AdamWState(adam[0], adam[1], state.path("adamStep").asLong()), coordinator,
                state.path("validationCursor").asLong(), provenance, mada, l3rs, lstm);
    }

    private JsonNode json(Path f) throws IOException {
        byte[] b = readFile(f);
        try {
            return JSON.readTree(b);
        } catch (IOException e) {
            throw new IOException(f + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private byte[] readFile(Path f) throws IOException {
        if (!fs.exists(f)) {
            throw new IOException(f + " is missing");
        }
        try (FSDataInputStream in = fs.open(f)) {
            return in.readAllBytes();
        }
    }

    private void writeFile(Path f, byte[] b) throws IOException {
        try (FSDataOutputStream out = fs.create(f, false)) {
            out.write(b);
        }
    }

    private static byte[] arrays(INDArray... a) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (INDArray x : a) {
                Nd4j.write(x, out);
            }
        }
        return bytes.toByteArray();
    }

    private static INDArray[] arrays(byte[] b, int n, Path source) throws IOException {
        INDArray[] out = new INDArray[n];
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            for (int i = 0; i < n; i++) {
                out[i] = Nd4j.read(in);
            }
        } catch (RuntimeException e) {
            throw new IOException(source + ": not readable as ND4J arrays (" + e.getMessage() + ")", e);
        }
        return out;
    }

    private static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }


    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
