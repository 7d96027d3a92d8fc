package io.fedlake.features.definition;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureDefinitionLoaderTest {

    private static final String GOOD = """
            name: apps
            version: 2
            description: test view
            owner: tests
            entity: applicant
            join_keys: [applicant_id]
            source: raw.apps
            event_timestamp: application_ts
            ttl: 30d
            features:
              - name: apps_90d
                expr: count(*)
                window: 90d
                type: bigint
              - name: amount
                expr: loan_amount
                validation: {min: 0, max: 1000, max_null_rate: 0.5, action: quarantine}
            """;

    private static DefinitionException fails(String yaml) {
        return assertThrows(DefinitionException.class, () -> DefinitionLoader.parse("apps.yaml", yaml));
    }

    @Test
    void aGoodDefinitionParsesIntoTheModel() {
        FeatureViewDefinition d = DefinitionLoader.parse("apps.yaml", GOOD);

        assertEquals("apps", d.name());
        assertEquals(2, d.version());
        assertEquals(List.of("applicant_id"), d.joinKeys());
        assertEquals(Duration.ofDays(30), d.ttl());
        assertEquals(Duration.ofDays(90), d.features().get(0).window());
        assertEquals("bigint", d.features().get(0).type());
        assertEquals("double", d.features().get(1).type());
        assertNull(d.features().get(1).window());
        ValidationRule r = d.features().get(1).validation();
        assertEquals(new ValidationRule(0.0, 1000.0, 0.5, ValidationRule.Action.QUARANTINE), r);
        assertEquals(Duration.ofDays(90), d.lookback());
        assertEquals("features.apps", d.table());
        assertEquals("quarantine.features_apps", d.quarantineTable());
    }

    @Test
    void errorsNameTheFileAndTheField() {
        assertEquals("apps.yaml: ttl: is required", fails(GOOD.replace("ttl: 30d\n", "")).getMessage());
        assertEquals("apps.yaml: features[0].window: bad duration '90x' (expected a positive number and a unit d, h, m or s, e.g. 90d)",
                fails(GOOD.replace("window: 90d", "window: 90x")).getMessage());
        assertEquals("apps.yaml: features[1].validation.action: must be fail or quarantine, got 'drop'",
                fails(GOOD.replace("action: quarantine", "action: drop")).getMessage());
        assertEquals("apps.yaml: version: must be a whole number, got 'two'", fails(GOOD.replace("version: 2", "version: two")).getMessage());
        assertEquals("apps.yaml: features[1].validation.min: must be ≤ max, got min 0.0 > max -1.0",
                fails(GOOD.replace("max: 1000", "max: -1")).getMessage());
        assertEquals("apps.yaml: features[1].validation.max_null_rate: must be in [0, 1], got 1.5",
                fails(GOOD.replace("max_null_rate: 0.5", "max_null_rate: 1.5")).getMessage());
        assertEquals("apps.yaml: source: must be schema.table in lower case, e.g. raw.credit, got 'apps'",
                fails(GOOD.replace("source: raw.apps", "source: apps")).getMessage());
        assertEquals("apps.yaml: name: 'drift' is reserved for the store's own table features.drift",
                fails(GOOD.replace("name: apps\n", "name: drift\n")).getMessage());
    }

    @Test
    void unknownFieldsAreErrorsSoTyposAreNotSilentlyIgnored() {
        DefinitionException e = fails(GOOD.replace("window: 90d", "windw: 90d"));
        assertEquals("features[0].windw", e.field());
        assertTrue(e.getMessage().startsWith("apps.yaml: features[0].windw: unknown field; expected one of [description, expr, name, type, validation, window]"),
                e.getMessage());
    }

    @Test
    void expressionsAreParsedAtLoadTime() {
        DefinitionException syntax = fails(GOOD.replace("expr: loan_amount", "expr: loan_amount +* 2"));
        assertEquals("features[1].expr", syntax.field());
        assertTrue(syntax.getMessage().startsWith("apps.yaml: features[1].expr: not a Spark SQL expression: 'loan_amount +* 2'"), syntax.getMessage());

        DefinitionException notAggregate = fails(GOOD.replace("expr: count(*)", "expr: count(*) + 1"));
        assertEquals("apps.yaml: features[0].expr: with a window the expression must be one aggregate call such as count(*) or avg(x), got 'count(*) + 1'",
                notAggregate.getMessage());
    }

    @Test
    void featureNamesMustBeUniqueAndNotShadowKeysOrReservedColumns() {
        assertEquals("apps.yaml: features[1].name: 'apps_90d' is already a join key, a feature or a reserved column (event_ts, event_date) of this view",
                fails(GOOD.replace("name: amount", "name: apps_90d")).getMessage());
        assertEquals("features[1].name", fails(GOOD.replace("name: amount", "name: event_date")).field());
    }

    @Test
    void brokenYamlNamesTheLine() {
        DefinitionException e = fails("name: apps\nversion: [1\n");
        assertTrue(e.getMessage().startsWith("apps.yaml: line "), e.getMessage());
        assertEquals("apps.yaml: document: expected a mapping with name, version, source, … , features; got ArrayList",
                fails("- a\n- b\n").getMessage());
    }

    @Test
    void aDirectoryLoadsEveryYamlFileAndRejectsADuplicateViewNamingBothFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.yaml"), GOOD);
        Files.writeString(dir.resolve("notes.txt"), "not a definition");
        assertEquals(List.of("apps"), FeatureViews.load(dir).all().stream().map(FeatureViewDefinition::name).toList());

        Files.writeString(dir.resolve("b.yml"), GOOD);
        DefinitionException e = assertThrows(DefinitionException.class, () -> FeatureViews.load(dir));
        assertEquals("b.yml: name: view 'apps' is already defined in a.yaml", e.getMessage());
    }

    @Test
    void thePackagedDefinitionsCoverTheThreeDomains() {
        FeatureViews views = FeatureViews.packaged();

        assertEquals(List.of("clinical_patient_labs", "credit_applicant_history", "credit_branch_activity", "plant_line_sensors", "plant_sensor_load"),
                views.all().stream().map(FeatureViewDefinition::name).toList());
        assertEquals(List.of("raw.credit", "raw.imaging", "raw.defect"),
                views.all().stream().map(FeatureViewDefinition::source).distinct().sorted((a, b) -> order(a) - order(b)).toList());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> views.get("nope"));
        assertTrue(unknown.getMessage().startsWith("unknown feature view 'nope'; defined in classpath:io/fedlake/features/definitions: clinical_patient_labs, "),
                unknown.getMessage());
    }

    private static int order(String source) {
        return List.of("raw.credit", "raw.imaging", "raw.defect").indexOf(source);
    }
}
