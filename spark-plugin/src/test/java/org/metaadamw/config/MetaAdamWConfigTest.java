package org.metaadamw.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetaAdamWConfigTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = ';', value = {
            "spark.metaadamw.learningRate; -0.001; > 0",
            "spark.metaadamw.learningRate; NaN; > 0",
            "spark.metaadamw.weightDecay; -1; >= 0",
            "spark.metaadamw.beta1; 1.0; in [0, 1)",
            "spark.metaadamw.alphaRange; 0; in (0.0, 2.0)",
            "spark.metaadamw.betaRange; -0.5; in (0.0, 2.0)",
            "spark.metaadamw.huw.priorities; 1,0,1; three finite values > 0",
            "spark.metaadamw.huw.priorities; 1,2; three finite values > 0",
            "spark.metaadamw.grouping; coarse; one of fine, layer, single",
            "spark.metaadamw.features; fancy; one of basic, basic+, enhanced",
            "spark.metaadamw.averagingFrequency; 0; >= 1",
            "spark.metaadamw.module.heads; x; >= 1",
            "spark.metaadamw.controller; sgd!; metaadamw, adamw, hypergradient, random, mada, l3rs, lstm, or a ControllerProvider",
            "spark.metaadamw.mada.initial; sgd; one of adam, avgrad, yogi, adan, lion",
            "spark.metaadamw.mada.coefficients; layer; one of global, group",
            "spark.metaadamw.mada.learningRate.beta1; -1e-4; >= 0 and finite",
            "spark.metaadamw.mada.learningRate.beta2; Infinity; >= 0 and finite",
            "spark.metaadamw.mada.learningRate.beta3; NaN; >= 0 and finite",
            "spark.metaadamw.mada.learningRate.rho; -0.1; >= 0 and finite",
            "spark.metaadamw.mada.learningRate.c; x; >= 0 and finite",
            "spark.metaadamw.mada.learningRate.gamma; -2; >= 0 and finite",
            "spark.metaadamw.mada.lionBeta1; 1.0; in [0, 1)",
            "spark.metaadamw.mada.lionBeta2; -0.01; in [0, 1)",
    })
    void invalidValuesNameTheKeyAndTheRange(String key, String value, String range) {
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().setString(key, value));
        assertTrue(e.getMessage().startsWith(key), e.getMessage());
        assertTrue(e.getMessage().contains(range), e.getMessage());
    }

    @Test
    void madaDefaultsAreThoseOfTheOfficialCode() {
        MetaAdamWConfig c = MetaAdamWConfig.defaults();
        assertEquals("adam", c.madaInitial());
        assertEquals(false, c.madaPerGroup());
        assertArrayEquals(new double[]{5e-4, 5e-4, 0.1, 0.1, 0.1, 0.1}, c.madaLearningRates(), 0.0);
        assertEquals(0.95, c.madaLionBeta1(), 0.0);
        assertEquals(0.98, c.madaLionBeta2(), 0.0);
        MetaAdamWConfig set = MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.mada.initial", "Yogi", "spark.metaadamw.mada.coefficients", "group",
                "spark.metaadamw.mada.learningRate.rho", "0"));
        assertEquals("yogi", set.madaInitial());
        assertTrue(set.madaPerGroup());
        assertEquals(0.0, set.madaLearningRates()[3], 0.0);
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().madaLearningRates(0, 0, 0, 0, -1, 0));
        assertTrue(e.getMessage().startsWith("spark.metaadamw.mada.learningRate.c must be >= 0"), e.getMessage());
    }

    @Test
    void typedSettersValidateToo() {
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().learningRate(-1));
        assertEquals("spark.metaadamw.learningRate must be > 0 and finite (got -1.0)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().priorities(1, -2, 1));
        assertTrue(e.getMessage().contains("spark.metaadamw.huw.priorities"), e.getMessage());
    }

    @Test
    void headsMustDivideTheModuleWidth() {
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().module(30, 2, 4, 64).build());
        assertTrue(e.getMessage().contains("spark.metaadamw.module.heads must divide the module width d = 30"), e.getMessage());
    }

    @Test
    void paperPresetSwitchesTheFormulationAndExplicitSettingsStillWin() {
        MetaAdamWConfig d = MetaAdamWConfig.defaults();
        assertTrue(d.logMultipliers());
        assertEquals(0.25, d.metaScaleLearningRate(), 0);
        assertTrue(d.cosineScaleRule() && d.adaptiveScaleStep() && d.signScaleRule() && d.rescaledTrace());
        assertEquals(100, d.alphaMax(), 0);
        assertEquals(0.01, d.alphaMin(), 0);
        assertArrayEquals(new boolean[]{false, true, false}, d.metaTerms());
        MetaAdamWConfig p = MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.preset", "paper"));
        assertEquals("paper", p.preset());
        assertTrue(!p.logMultipliers() && p.paperAlignment());
        assertEquals(0.0, p.metaScaleLearningRate(), 0);
        assertEquals(1.0, p.alphaRange(), 0);
        assertArrayEquals(new boolean[]{true, true, true}, p.metaTerms());
        assertEquals(6, p.featureColumns(), "basic features");
        assertEquals(6, org.metaadamw.meta.ModuleShape.of(p, 6, 4).model(), "d = F");
        assertEquals("spark.metaadamw.preset=paper", "spark.metaadamw.preset=" + p.toStringMap().get("spark.metaadamw.preset"));
        // explicit settings win over the preset, in either order of the keys
        MetaAdamWConfig q = MetaAdamWConfig.builder().metaTerms("lossDecrease").preset("paper").build();
        assertArrayEquals(new boolean[]{false, true, false}, q.metaTerms());
        assertTrue(!q.logMultipliers());
        // the resolved map reproduces the same configuration
        assertEquals(p, MetaAdamWConfig.fromMap(p.toStringMap()));
        // a preset that does not fit another explicit choice is refused with the keys named
        var e = assertThrows(IllegalArgumentException.class,
                () -> MetaAdamWConfig.builder().preset("paper").metaScaleLearningRate(0.1).build());
        assertTrue(e.getMessage().contains("spark.metaadamw.meta.scaleLearningRate") && e.getMessage().contains("sigmoid"), e.getMessage());
        var h = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.builder().preset("paper").features("basic+").build());
        assertTrue(h.getMessage().contains("d = F"), h.getMessage());
    }

    @Test
    void unknownKeysUnderThePrefixAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.learningrate", "0.1")));
        assertTrue(e.getMessage().contains("unknown configuration key spark.metaadamw.learningrate"), e.getMessage());
    }

    @Test
    void roundTripsThroughStrings() {
        MetaAdamWConfig c = MetaAdamWConfig.builder().learningRate(3e-4).grouping("layer").features("enhanced")
                .priorities(2, 5, 1).controller("adamw").build();
        MetaAdamWConfig back = MetaAdamWConfig.fromMap(c.toStringMap());
        assertEquals(c, back);
        assertArrayEquals(new double[]{2, 5, 1}, back.priorities());
        assertEquals(3e-4, back.learningRate());
    }

    @Test
    void everyKeyIsUniqueAndDocumented() {
        Set<String> keys = new HashSet<>();
        for (ConfigEntry<?> e : MetaAdamWConf.entries()) {
            assertTrue(keys.add(e.key()), "duplicate key " + e.key());
            assertTrue(e.key().startsWith(MetaAdamWConf.PREFIX));
            assertTrue(e.doc().length() > 10, "undocumented " + e.key());
        }
    }

    @Test
    void generatedReferenceIsUpToDate() throws Exception {
        Path file = locate("docs/configuration.md");
        String committed = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals(MetaAdamWConf.markdownReference(), committed,
                "docs/configuration.md is stale: regenerate it with the command at its top");
    }

    static Path locate(String relative) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.exists(dir.resolve(relative))) {
                return dir.resolve(relative);
            }
            dir = dir.getParent();
        }
        throw new AssertionError(relative + " not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aCostBudgetSetsTheMetaInterval() {
        MetaAdamWConfig.Builder b = MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5);
        assertEquals(1, b.build().metaInterval(), "off by default");
        // 4/3 gradient evaluations per meta round over 5 steps: 26.7 % at interval 1, ≤ 5 % from interval 6
        assertEquals(6, b.metaCostBudget(0.05).build().metaInterval());
        assertEquals(3, b.metaCostBudget(0.1).build().metaInterval());
        // the alignment term reads gv0: 2 evaluations per meta round
        assertEquals(8, b.metaCostBudget(0.05).metaTerms("alignment,lossDecrease").build().metaInterval());
        assertEquals(8, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaCostBudget(0.05).preset("paper").build().metaInterval());
        // a quarter of the validation rows: 4/3 · 0.25 / 5 = 6.7 % at interval 1, ≤ 5 % from interval 2
        assertEquals(2, b.metaTerms("lossDecrease").metaValidationFraction(0.25).metaCostBudget(0.05).build().metaInterval());
        assertEquals(1, b.metaValidationFraction(0.125).build().metaInterval());
        // an explicit interval larger than the budget's wins; the budget never shortens it
        assertEquals(10, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaCostBudget(0.05).metaInterval(10).build().metaInterval());
        assertEquals(1, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaCostBudget(10).build().metaInterval());
        // the cosine scale's step grows with the factor the budget added, not with an interval the user set
        assertEquals(0.25, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).build().metaScaleStep(), 0.0);
        assertEquals(1.5, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaCostBudget(0.05).build().metaScaleStep(), 1e-15);
        assertEquals(0.25, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaInterval(6).build().metaScaleStep(), 0.0);
        assertEquals(0.25, MetaAdamWConfig.builder().metaSignal("validation").averagingFrequency(5).metaCostBudget(0.05).metaInterval(10).build().metaScaleStep(), 0.0);
        var e = assertThrows(IllegalArgumentException.class, () -> MetaAdamWConfig.fromMap(Map.of("spark.metaadamw.meta.costBudget", "-0.1")));
        assertTrue(e.getMessage().contains("spark.metaadamw.meta.costBudget"), e.getMessage());
    }
}
