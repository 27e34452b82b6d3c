package org.metaadamw.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an example job knows besides the trainer's checkpoint: the validation metric and wall time of
 * every evaluated epoch and the parameters of the best one (for early stopping and the final test),
 * kept next to the trainer's checkpoints in {@code spark.metaadamw.checkpoint.dir}.
 *
 * <p>Files: {@code job-epochs-NNNN.json} (the state after NNNN evaluated epochs; the newest is read)
 * and {@code job-best-NNNN.ndarray} (the best epoch's parameters, ND4J's binary array format, no Java
 * serialization). Each is written under a temporary name and renamed, and older ones are deleted only
 * after the newer one is in place, so a killed job leaves a readable state. Driver-side; not thread-safe.
 */
final class JobState {
    private static final int FORMAT = 1;
    private static final String EPOCHS = "job-epochs-", BEST = "job-best-";

    /** The state after {@code validation.size()} evaluated epochs. */
    record Epochs(long roundsPerEpoch, List<Double> validation, List<Double> seconds, int bestEpoch) {
    }

    private final FileSystem fs;
    private final Path dir;
    private final String job;
    /** SHA-256 of the best parameters' file the newest state names. */
    private String bestSha256 = "";

    /**
     * @param dir the checkpoint directory (any Hadoop FileSystem path)
     * @param job what the state belongs to (task, configuration label, seed); a state of another job is refused
     */
    JobState(String dir, Configuration hadoop, String job) throws IOException {
        this.dir = new Path(dir);
        this.fs = this.dir.getFileSystem(hadoop);
        this.job = job;
    }

    /** Writes the state; {@code bestParams} when the newest epoch is the best one so far, else null. */
    void write(Epochs e, INDArray bestParams) throws IOException {
        int n = e.validation().size();
        fs.mkdirs(dir);
        if (bestParams != null) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            Nd4j.write(bestParams, new DataOutputStream(bytes));
            byte[] raw = bytes.toByteArray();
            replace(bestFile(n), out -> out.write(raw));
            bestSha256 = sha256(raw);
        }
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("format", FORMAT).put("job", job).put("roundsPerEpoch", e.roundsPerEpoch()).put("bestEpoch", e.bestEpoch())
                .put("bestSha256", bestSha256);
        e.validation().forEach(root.putArray("validation")::add);
        e.seconds().forEach(root.putArray("seconds")::add);
        byte[] json = new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        replace(String.format("%s%04d.json", EPOCHS, n), out -> out.write(json));
        for (FileStatus s : fs.listStatus(dir)) {   // the older states and best parameters are no longer needed
            String name = s.getPath().getName();
            if (name.startsWith(EPOCHS) && !name.equals(String.format("%s%04d.json", EPOCHS, n))
                    || name.startsWith(BEST) && !name.equals(bestFile(e.bestEpoch() + 1))) {
                fs.delete(s.getPath(), false);
            }
        }
    }

    private static String bestFile(int epochs) {
        return String.format("%s%04d.ndarray", BEST, epochs);
    }

    /** SHA-256 of {@code raw}, in hex. */
    static String sha256(byte[] raw) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Writer {
        void write(java.io.OutputStream out) throws IOException;
    }

    private void replace(String name, Writer w) throws IOException {
        Path target = new Path(dir, name), tmp = new Path(dir, "." + name + ".tmp");
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            w.write(out);
        }
        fs.delete(target, false);
        if (!fs.rename(tmp, target)) {
            throw new IOException("cannot rename " + tmp + " to " + target);
        }
    }

    /** The newest state, or null when the directory holds none. */
    Epochs readLatest() throws IOException {
        if (!fs.exists(dir)) {
            return null;
        }
        Path newest = null;
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            if (name.startsWith(EPOCHS) && name.endsWith(".json") && (newest == null || name.compareTo(newest.getName()) > 0)) {
                newest = s.getPath();
            }
        }
        if (newest == null) {
            return null;
        }
        JsonNode root;
        try (InputStream in = fs.open(newest)) {
            root = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException bad) {
            throw new IOException(newest + ": not a job state (" + bad.getMessage() + ")", bad);
        }
        if (root.path("format").asInt() != FORMAT) {
            throw new IOException(newest + ": job state format " + root.path("format") + ", this job reads " + FORMAT);
        }
        if (!job.equals(root.path("job").asText())) {
            throw new IOException(newest + ": the state of job '" + root.path("job").asText() + "', not of '" + job
                    + "' (use another --checkpoint directory per task, configuration and seed)");
        }
        List<Double> val = new ArrayList<>(), secs = new ArrayList<>();
        root.path("validation").forEach(v -> val.add(v.asDouble()));
        root.path("seconds").forEach(v -> secs.add(v.asDouble()));
        int best = root.path("bestEpoch").asInt(-1);
        if (val.isEmpty() || val.size() != secs.size() || best < 0 || best >= val.size()) {
            throw new IOException(newest + ": inconsistent job state (" + val.size() + " validation values, " + secs.size()
                    + " times, best epoch " + best + ")");
        }
        bestSha256 = root.path("bestSha256").asText();
        return new Epochs(root.path("roundsPerEpoch").asLong(), val, secs, best);
    }

    /** The parameters of the state's best epoch. */
    INDArray bestParams(Epochs e, long length) throws IOException {
        Path p = new Path(dir, bestFile(e.bestEpoch() + 1));
        if (!fs.exists(p)) {
            throw new IOException(p + " is missing: the job state names epoch " + (e.bestEpoch() + 1) + " as the best one");
        }
        byte[] raw;
        try (InputStream in = fs.open(p)) {
            raw = in.readAllBytes();
        }
        if (!sha256(raw).equals(bestSha256)) {
            throw new IOException(p + ": checksum mismatch (the job state records SHA-256 " + bestSha256 + ")");
        }
        INDArray a;
        try {
            a = Nd4j.read(new DataInputStream(new java.io.ByteArrayInputStream(raw)));
        } catch (RuntimeException bad) {
            throw new IOException(p + ": not an ND4J array (" + bad.getMessage() + ")", bad);
        }
        if (a.length() != length) {
            throw new IOException(p + ": " + a.length() + " parameters, the network has " + length);
        }
        return a;
    }
}
