package io.fedlake;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of every module's production classes (core, model-zoo, feature-store, spark-jobs), as
 * ARCHITECTURE.md draws it: dependencies point down only — the CLI drives the jobs, the jobs use the domain
 * presets and the engine (translation, lake, evaluation, GPU binding), which use the model zoo and the feature
 * store, and everything uses core. A job never imports the CLI, the engine never knows the shipped domains, and
 * no two packages depend on each other. A wrong import fails the build here.
 */
@AnalyzeClasses(packages = "io.fedlake", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.NoTestJars.class})
class ArchitectureTest {

    /** Test classes of other modules arrive as {@code *-tests.jar}, which DoNotIncludeTests does not recognise. */
    static final class NoTestJars implements ImportOption {
        @Override
        public boolean includes(com.tngtech.archunit.core.importer.Location location) {
            return !location.contains("-tests.jar");
        }
    }

    @ArchTest
    static final ArchRule layersPointDown = layeredArchitecture().consideringOnlyDependenciesInAnyPackage("io.fedlake..")
            .layer("cli").definedBy("io.fedlake.cli..")
            .layer("jobs").definedBy("io.fedlake.train..", "io.fedlake.score..", "io.fedlake.ingest..", "io.fedlake.registry..",
                    "io.fedlake.generate..", "io.fedlake.report..", "io.fedlake.explain..")
            .layer("presets").definedBy("io.fedlake.preset..")
            .layer("engine").definedBy("io.fedlake.translate..", "io.fedlake.lake..", "io.fedlake.eval..", "io.fedlake.gpu..")
            .layer("model zoo").definedBy("io.fedlake.zoo..")
            .layer("feature store").definedBy("io.fedlake.features..")
            .layer("core").definedBy("io.fedlake.core..")
            .whereLayer("cli").mayNotBeAccessedByAnyLayer()
            .whereLayer("jobs").mayOnlyBeAccessedByLayers("cli")
            .whereLayer("presets").mayOnlyBeAccessedByLayers("cli", "jobs")
            .whereLayer("engine").mayOnlyBeAccessedByLayers("cli", "jobs", "presets")
            .whereLayer("model zoo").mayOnlyBeAccessedByLayers("cli", "jobs", "presets", "engine")
            .whereLayer("feature store").mayOnlyBeAccessedByLayers("cli", "jobs", "presets", "engine")
            .whereLayer("core").mayOnlyBeAccessedByLayers("cli", "jobs", "presets", "engine", "model zoo", "feature store");

    @ArchTest
    static final ArchRule packagesHaveNoCycles = slices().matching("io.fedlake.(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule coreIsPlainJava = noClasses().that().resideInAPackage("io.fedlake.core..").should().dependOnClassesThat()
            .resideInAnyPackage("org.apache.spark..", "org.nd4j..", "org.deeplearning4j..", "picocli..", "io.delta..", "org.apache.hadoop..");
}
