package org.metaadamw.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the parameter files of the learned rules ({@link L3rsParams}, {@link LstmParams}) share: the
 * header check, φ and the provenance in JSON (doubles in their shortest round-tripping form, so a
 * saved φ reads back bit for bit), and the SHA-256 digest a checkpoint records. Stateless.
 */
final class ParamsFiles {
    private ParamsFiles() {
    }

    /** A new JSON object with the format and rule header. */
    static ObjectNode header(int format, String rule) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("format", format);
        o.put("rule", rule);
        return o;
    }

    /** Adds φ and the provenance (sorted) and pretty-prints. */
    static String finish(ObjectNode o, double[] phi, Map<String, String> provenance) {
        ArrayNode p = o.putArray("phi");
        for (double x : phi) {
            p.add(x);
        }
        ObjectNode prov = o.putObject("provenance");
        new TreeMap<>(provenance).forEach(prov::put);
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses {@code text} and checks the header and the presence of {@code required} keys.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    static JsonNode parse(String text, int format, String rule, String displayName, String... required) {
        JsonNode o;
        try {
            o = new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (o.path("format").asInt(-1) != format || !rule.equals(o.path("rule").asText())) {
            throw new IllegalArgumentException("not an " + displayName + " parameter file of format " + format + " (format "
                    + o.path("format") + ", rule " + o.path("rule") + ")");
        }
        for (String k : required) {
            if (!o.has(k)) {
                throw new IllegalArgumentException("missing '" + k + "'");
            }
        }
        return o;
    }

    /** φ from {@code o.phi}, every entry a number. */
    static double[] phi(JsonNode o) {
        JsonNode p = o.get("phi");
        if (p == null || !p.isArray()) {
            throw new IllegalArgumentException("missing 'phi' (an array of numbers)");
        }
        double[] phi = new double[p.size()];
        for (int i = 0; i < phi.length; i++) {
            if (!p.get(i).isNumber()) {
                throw new IllegalArgumentException("phi[" + i + "] is not a number: " + p.get(i));
            }
            phi[i] = p.get(i).asDouble();
        }
        return phi;
    }

    static Map<String, String> provenance(JsonNode o) {
        Map<String, String> prov = new LinkedHashMap<>();
        o.path("provenance").fields().forEachRemaining(e -> prov.put(e.getKey(), e.getValue().asText()));
        return prov;
    }

    /** SHA-256 (hex) of {@code header} followed by the bits of φ. */
    static String digest(byte[] header, double[] phi) {
        try {
            ByteBuffer b = ByteBuffer.allocate(header.length + 8 * phi.length);
            b.put(header);
            for (double x : phi) {
                b.putDouble(x);
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Refuses a φ with a non-finite entry, naming the rule and the index. */
    static void checkFinite(String rule, double[] phi) {
        for (int i = 0; i < phi.length; i++) {
            if (!Double.isFinite(phi[i])) {
                throw new IllegalArgumentException(rule + ": φ[" + i + "] is " + phi[i]);
            }
        }
    }
}
