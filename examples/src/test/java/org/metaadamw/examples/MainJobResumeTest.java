package org.metaadamw.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README command 1 (the main job) with {@code --checkpoint DIR} and {@code --resume}: a job stopped after
 * its first epoch and resumed with the full budget reports, for both optimizers, the same final
 * parameters (SHA-256 of their bytes), test loss and accuracy as an uninterrupted job. Real Fashion-MNIST
 * (a 2000-image subset), Spark local[2].
 */
class MainJobResumeTest {

    private static JsonNode results(Path report) throws Exception {
        return new ObjectMapper().readTree(Files.readString(report)).path("results");
    }

    @Test
    void aResumedMainJobReportsWhatAnUninterruptedOneDoes(@TempDir Path tmp) throws Exception {
        String[] small = {"--train", "2000", "--test", "200"};
        Path clean = tmp.resolve("clean.json"), first = tmp.resolve("first.json"), resumed = tmp.resolve("resumed.json");
        String ck = tmp.resolve("ck").toString();
        MainJob.main(concat(small, "--epochs", "2", "--report", clean.toString()));
        MainJob.main(concat(small, "--epochs", "1", "--checkpoint", ck, "--report", first.toString()));
        assertTrue(Files.isDirectory(Path.of(ck, "adamw")) && Files.isDirectory(Path.of(ck, "metaadamw")), "one directory per run");
        MainJob.main(concat(small, "--epochs", "2", "--checkpoint", ck, "--resume", "--report", resumed.toString()));
        JsonNode a = results(clean), f = results(first), r = results(resumed);
        for (int i = 0; i < 2; i++) {
            String who = a.get(i).path("optimizer").asText();
            assertEquals(who, r.get(i).path("optimizer").asText());
            assertEquals(a.get(i).path("paramsSha256").asText(), r.get(i).path("paramsSha256").asText(), who + ": final parameters");
            assertNotEquals(a.get(i).path("paramsSha256").asText(), f.get(i).path("paramsSha256").asText(),
                    who + ": the interrupted job stopped earlier");
            assertEquals(a.get(i).path("testLoss").asDouble(), r.get(i).path("testLoss").asDouble(), 0.0, who);
            assertEquals(a.get(i).path("accuracy").asDouble(), r.get(i).path("accuracy").asDouble(), 0.0, who);
        }
        var e = assertThrows(IllegalArgumentException.class, () -> MainJob.main(new String[]{"--resume"}));
        assertEquals("--resume needs --checkpoint DIR", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MainJob.main(new String[]{"--epoch", "2"}));
        assertTrue(e.getMessage().contains("unknown option --epoch (did you mean --epochs?)"), e.getMessage());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
