package io.fedlake.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A new user's own data, in the shapes public data sets come in, through the CLI with no code change: a CSV without
 * an id column, with R-style dotted names, spaces, a leading digit and non-ASCII in its header and a Good/Bad label;
 * and an image folder with ten class subfolders, a stray file at its root and a hidden file.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnDataCliTest {

    @TempDir
    static Path tmp;

    private String[] common;
    private Path csv;
    private Path images;

    @BeforeAll
    void fixtures() throws IOException {
        common = new String[]{"--lake", tmp.resolve("lake").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"};
        csv = tmp.resolve("german.csv");
        Files.writeString(csv, germanCredit(600, 11));
        images = tmp.resolve("digits");
        writeImageFolder(images, 10, 14, 5);
    }

    /** German-credit-like rows with real signal; the label is Bad with a probability that rises with the risk score. */
    static String germanCredit(int rows, long seed) {
        StringBuilder b = new StringBuilder("CheckingAccountStatus.lt.0,Duration in months,2nd.loan,größe,Purpose,Branch office,Class\n");
        Random r = new Random(seed);
        String[] purposes = {"car", "tv", "business", "education"};
        for (int i = 0; i < rows; i++) {
            int checking = r.nextInt(2);
            int duration = 6 + r.nextInt(54);
            int second = r.nextInt(2);
            double size = Math.round(r.nextGaussian() * 100) / 100.0;
            int purpose = r.nextInt(purposes.length);
            double logit = -1.0 + 1.6 * checking + 0.05 * (duration - 30) + 0.9 * second - 0.7 * size + (purpose == 2 ? 0.8 : 0);
            boolean bad = r.nextDouble() < 1 / (1 + Math.exp(-logit));
            b.append(checking).append(',').append(duration).append(',').append(second).append(',').append(size).append(',').append(purposes[purpose])
                    .append(',').append("ABC".charAt(i % 3)).append(',').append(bad ? "Bad" : "Good").append('\n');
        }
        return b.toString();
    }

    /** {@code classes} folders of 28×28 grey PNGs; class k has a bright 8×8 block in cell k of a 4×3 grid, on noise. */
    static void writeImageFolder(Path root, int classes, int perClass, long seed) throws IOException {
        Random r = new Random(seed);
        for (int k = 0; k < classes; k++) {
            Path dir = Files.createDirectories(root.resolve("class_" + k));
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        int cellX = x / 7;
                        int cellY = y / 9;
                        boolean block = cellY < 3 && cellX < 4 && cellY * 4 + cellX == k;
                        int v = (block ? 200 : 40) + r.nextInt(40);
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", dir.resolve("img_" + i + ".png").toFile());
            }
        }
        Files.writeString(root.resolve("README.txt"), "not an image, and not in a class folder\n");
        Files.writeString(root.resolve("class_0").resolve(".DS_Store"), "hidden\n");
    }

    private static CliRun run(String[] common, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + common.length);
        System.arraycopy(common, 0, all, args.length, common.length);
        return CliRun.of(all);
    }

    private long count(String sql) {
        return Long.parseLong(value(sql));
    }

    private String value(String sql) {
        CliRun r = run(common, "sql", sql);
        assertEquals(0, r.code(), r.err());
        return r.out().lines().skip(1).findFirst().orElseThrow().trim();
    }

    private static double number(String text, String regex) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Double.parseDouble(m.group(1));
    }

    /**
     * The exact ROC AUC of model {@code name}'s scores on the rows early stopping validated on: not in the holdout
     * (hash of the key with the seed 42), and in the validation tenth (hash with 42 + TrainingJob.VALIDATION_SEED).
     */
    private double validationAuc(String name) {
        String rows = "SELECT CAST(d.Class = 'Bad' AS INT) AS y, s.probability AS p FROM scores.german s JOIN raw.german d USING (row_key) "
                + "WHERE s.model_name = '" + name + "' AND pmod(xxhash64(row_key, 42L), 10000) >= 2000 "
                + "AND pmod(xxhash64(row_key, " + (42 + io.fedlake.train.TrainingJob.VALIDATION_SEED) + "L), 10000) < 1000";
        return Double.parseDouble(value("WITH v AS (" + rows + ") SELECT avg(CASE WHEN a.p > b.p THEN 1.0 WHEN a.p = b.p THEN 0.5 ELSE 0.0 END) "
                + "FROM v a CROSS JOIN v b WHERE a.y = 1 AND b.y = 0"));
    }

    @Test
    void aCsvWithoutAnIdWithDottedNamesAndAGoodBadLabelIngestsTrainsAndScores() {
        CliRun noKey = run(common, "ingest", "--source", csv.toString(), "--table", "raw.german");
        assertEquals(1, noKey.code());
        assertTrue(noKey.err().startsWith("fedlake: error: ") && noKey.err().contains("has no key column id (its columns: CheckingAccountStatus.lt.0, Duration in months,") && noKey.err().contains("--generate-key NAME"),
                noKey.err());
        assertEquals(1, noKey.err().lines().count(), noKey.err());

        String[] ingest = {"ingest", "--source", csv.toString(), "--table", "raw.german", "--generate-key", "row_key", "--label", "Class",
                "--client-column", "Branch office"};
        CliRun first = run(common, ingest);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("'CheckingAccountStatus.lt.0' → CheckingAccountStatus_lt_0") && first.out().contains("'Duration in months' → Duration_in_months")
                && first.out().contains("'2nd.loan' → 2nd_loan") && first.out().contains("'Branch office' → Branch_office"), first.out());
        assertFalse(first.out().contains("größe"), "a non-ASCII letter is kept as it is: " + first.out());
        assertTrue(first.out().contains("600 read = 600 landed + 0 quarantined"), first.out());
        CliRun again = run(common, ingest);
        assertEquals(0, again.code(), again.err());
        assertEquals(600, count("SELECT count(*) FROM raw.german"), "a rerun merges on the generated key: no row twice");
        assertEquals(600, count("SELECT count(DISTINCT row_key) FROM raw.german"));

        CliRun noPositive = run(common, "train", "--table", "raw.german", "--regime", "paramavg", "--epochs", "1");
        assertEquals(1, noPositive.code());
        assertEquals("fedlake: error: label column Class of raw.german has the values Bad, Good: name the positive class with --positive VALUE, e.g. --positive Good",
                noPositive.err().strip());

        // the defaults fit a 600-row table: sized epochs, batch and network, early stopping on validation rows
        CliRun train = run(common, "train", "--table", "raw.german", "--positive", "Bad", "--regime", "paramavg", "--name", "german");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("one hidden layer of 16 units") && train.out().contains("up to 50 epochs, minibatches of 16"), train.out());
        double network = number(train.out(), "holdout: AUC ([0-9.]+)");
        double baseline = number(train.out(), "baseline \\(MLlib logistic regression, same features and split\\): AUC ([0-9.]+)");
        assertTrue(network >= baseline - 0.02, "a few hundred rows reach the logistic regression's quality: " + train.out());
        double best = number(train.out(), "early stopping: no better for 5 evaluation\\(s\\) after round \\d+; kept round \\d+ \\(epoch \\d+\\), validation AUC ([0-9.]+)");
        assertEquals(0, count("SELECT count(*) FROM training.rounds WHERE model_name = 'german' AND evaluated_on <> 'validation'"),
                "under early stopping no round is evaluated on the holdout");
        assertEquals(best, Double.parseDouble(value("SELECT round(max(holdout_auc), 4) FROM training.rounds WHERE model_name = 'german'")), 1e-9,
                "the kept round is the best one logged");
        double last = Double.parseDouble(value("SELECT holdout_auc FROM training.rounds WHERE model_name = 'german' AND holdout_auc IS NOT NULL "
                + "ORDER BY round DESC LIMIT 1"));
        assertTrue(best - last > 0.005, "the fixture's run declines after its best round, so the kept parameters are not the last: " + train.out());
        assertTrue(train.out().contains("table raw.german: key row_key, label Class (binary, positive Bad), features (every other column) numeric "
                + "[CheckingAccountStatus_lt_0, Duration_in_months, 2nd_loan, größe], categorical [Purpose]"), train.out());
        double auc = Double.parseDouble(train.out().replaceAll("(?s).*holdout: AUC ([0-9.]+).*", "$1"));
        assertTrue(auc > 0.7, "the planted signal is learnt: " + train.out());

        CliRun fed = run(common, "train", "--table", "raw.german", "--positive", "Bad", "--regime", "fedavg", "--name", "german-fed");
        assertEquals(0, fed.code(), fed.err());
        assertTrue(number(fed.out(), "holdout: AUC ([0-9.]+)") >= number(fed.out(), "baseline [^:]*: AUC ([0-9.]+)") - 0.02, fed.out());
        assertTrue(fed.out().contains("early stopping: ") && fed.out().contains("up to 50 rounds, local minibatches of 16"), fed.out());
        assertTrue(fed.out().contains("clients 3/3"), "the recorded client column makes three clients: " + fed.out());

        CliRun score = run(common, "score", "--table", "raw.german", "--model", "german", "--date", "2026-12-01", "--all-dates");
        assertEquals(0, score.code(), score.err());
        assertTrue(score.out().contains("600 read = 600 scored + 0 quarantined"), score.out());
        assertEquals(600, count("SELECT count(DISTINCT row_key) FROM scores.german WHERE logical_date = DATE'2026-12-01'"));
        assertEquals(0, count("SELECT count(*) FROM scores.german WHERE decision NOT IN ('Bad', 'not Bad')"));
        assertEquals(3, count("SELECT count(DISTINCT client_id) FROM scores.german"));
        // the registered parameters are the best round's: scored on the validation rows they give that round's AUC (the
        // rounds' AUC comes from 4,096-bin histograms, within a few thousandths of the exact one), not the last round's
        assertEquals(best, validationAuc("german"), 0.003, "validation AUC of the registered model");
    }

    @Test
    void aTenClassImageFolderTrainsLenetWithoutReadingItsPathsAndScoresClasses() {
        CliRun ingest = run(common, "ingest", "--format", "image-folder", "--source", images.toString(), "--table", "raw.digits");
        assertEquals(0, ingest.code(), ingest.err());
        assertTrue(ingest.out().contains("141 read = 140 landed + 1 quarantined"), "README.txt at the root has no class; .DS_Store is hidden: " + ingest.out());
        assertEquals(1, count("SELECT count(*) FROM quarantine.digits WHERE reason LIKE 'not in a class folder%' AND entity_id = 'README.txt'"));

        CliRun binary = run(common, "train", "--table", "raw.digits", "--regime", "paramavg", "--epochs", "1");
        assertEquals(1, binary.code());
        assertTrue(binary.err().startsWith("fedlake: error: label column label of raw.digits has 10 values (class_0, class_1, class_2, class_3, class_4, …)")
                && binary.err().contains("give --task multiclass"), binary.err());

        CliRun target = run(common, "train", "--table", "raw.digits", "--task", "multiclass", "--regime", "fedavg", "--target-auc", "0.9");
        assertEquals("fedlake: error: --target-auc stops on a binary label's AUC; label label of raw.digits has 10 classes", target.err().strip());

        CliRun train = run(common, "train", "--table", "raw.digits", "--task", "multiclass", "--regime", "paramavg", "--epochs", "6", "--name", "digits");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("table raw.digits: key image_id, label label (10 classes [class_0, class_1, class_2, class_3, class_4, class_5, "
                + "class_6, class_7, class_8, class_9]), features (every other column) numeric [], categorical [], image image 28×28; skipped [path (ingest metadata), "
                + "image_width (ingest metadata), image_height (ingest metadata), image_format (ingest metadata)]"), train.out());
        assertTrue(train.out().contains("training lenet on raw.digits"), "an image-only table trains lenet out of the box: " + train.out());
        assertTrue(train.out().contains("holdout confusion matrix of p_label (rows: true class, columns: predicted)"), train.out());
        long inMatrix = train.out().lines().filter(l -> l.matches("\\s+class_\\d(\\s+\\d+){10}"))
                .mapToLong(l -> java.util.Arrays.stream(l.trim().split("\\s+")).skip(1).mapToLong(Long::parseLong).sum()).sum();
        CliRun shown = run(common, "models", "show", "digits:1");
        assertTrue(shown.out().contains("\"holdout_confusion\""), shown.out());
        assertEquals((long) number(shown.out(), "\"holdout_rows\" : ([0-9]+)"), inMatrix, "every holdout row is in the printed confusion matrix once");
        assertTrue(shown.out().contains("\"numeric_features\" : [ ]") && shown.out().contains("\"categorical_features\" : [ ]"),
                "no path, size or format reaches the model: " + shown.out());

        CliRun score = run(common, "score", "--table", "raw.digits", "--model", "digits", "--date", "2026-12-01", "--all-dates");
        assertEquals(0, score.code(), score.err());
        assertTrue(score.out().contains("140 read = 140 scored + 0 quarantined"), score.out());
        assertEquals(0, count("SELECT count(*) FROM scores.digits WHERE predicted_class NOT LIKE 'class_%' OR size(class_probabilities) <> 10"));
        long right = count("SELECT count_if(s.predicted_class = d.label) FROM scores.digits s JOIN raw.digits d USING (image_id)");
        assertTrue(right > 140 / 10 * 3, "well above chance (14 of 140): " + right + " right");
    }

    /** House-sale-like rows: the price is linear in the lot area, rooms, age and neighbourhood, plus a wave in the area and noise. */
    static String houses(int rows, long seed) {
        StringBuilder b = new StringBuilder("Lot.Area,Rooms,Age,Neighborhood,Branch,SalePrice,Agent\n");
        Random r = new Random(seed);
        String[] neighbourhoods = {"North", "River", "Mill"};
        int[] effect = {0, 30_000, -20_000};
        for (int i = 0; i < rows; i++) {
            int lot = 2000 + r.nextInt(10_001);
            int rooms = 2 + r.nextInt(6);
            int age = r.nextInt(81);
            int n = r.nextInt(3);
            double price = 100_000 + 45.0 * lot + 15_000 * rooms - 800 * age + effect[n] + 25_000 * Math.sin(lot / 900.0) + r.nextGaussian() * 15_000;
            b.append(lot).append(',').append(rooms).append(',').append(age).append(',').append(neighbourhoods[n]).append(',').append("ABC".charAt(i % 3))
                    .append(',').append(Math.round(price)).append(',').append("agent").append(i % 2).append('\n');
        }
        return b.toString();
    }

    @Test
    void aNumericLabelTrainsAsARegressionInEveryRegimeBesideALinearBaselineAndScoresPredictions() throws IOException {
        Path source = tmp.resolve("houses.csv");
        Files.writeString(source, houses(800, 7));
        CliRun ingest = run(common, "ingest", "--source", source.toString(), "--table", "raw.houses", "--generate-key", "row_key", "--label", "SalePrice",
                "--client-column", "Branch");
        assertEquals(0, ingest.code(), ingest.err());

        CliRun binary = run(common, "train", "--table", "raw.houses", "--regime", "paramavg", "--epochs", "1");
        assertEquals(1, binary.code());
        assertTrue(binary.err().contains("give --task multiclass to predict each, or --task regression to predict the number"), binary.err());
        CliRun text = run(common, "train", "--table", "raw.houses", "--label", "Agent", "--task", "regression", "--regime", "paramavg", "--epochs", "1");
        assertEquals("fedlake: error: label column Agent of raw.houses is string: --task regression needs a numeric label (--task binary or multiclass predict classes)",
                text.err().strip());
        CliRun positive = run(common, "train", "--table", "raw.houses", "--task", "regression", "--positive", "1");
        assertEquals(2, positive.code(), positive.err());

        for (String regime : new String[]{"paramavg", "fedavg", "dl4j-paramavg"}) {
            CliRun train = run(common, "train", "--table", "raw.houses", "--task", "regression", "--regime", regime, "--name", "houses-" + regime);
            assertEquals(0, train.code(), train.err());
            assertTrue(train.out().contains("label SalePrice (regression)") && train.out().contains("no dropout (a regression)"), train.out());
            assertTrue(train.out().contains(", validation RMSE "), "early stopping watches the validation RMSE: " + train.out());
            double r2 = number(train.out(), "holdout: RMSE [^ ]+  MAE [^ ]+  R² ([0-9.]+)");
            double baseline = number(train.out(), "baseline \\(MLlib linear regression, same features and split\\): RMSE [^ ]+  MAE [^ ]+  R² ([0-9.]+)");
            assertTrue(r2 > 0.9 && r2 >= baseline - 0.01, regime + " reaches the linear regression's quality: " + train.out());
        }
        assertEquals(0, count("SELECT count(*) FROM training.rounds WHERE model_name LIKE 'houses-%' AND evaluated_on IS NOT NULL "
                + "AND (holdout_rmse IS NULL OR holdout_r2 IS NULL OR holdout_auc IS NOT NULL)"), "every evaluated round records RMSE and R², no AUC");
        assertTrue(count("SELECT count(*) FROM training.rounds WHERE model_name LIKE 'houses-%' AND holdout_rmse > 0") >= 3 * 6);

        CliRun score = run(common, "score", "--table", "raw.houses", "--model", "houses-paramavg", "--date", "2026-12-01", "--all-dates");
        assertEquals(0, score.code(), score.err());
        assertTrue(score.out().contains("800 read = 800 scored + 0 quarantined"), score.out());
        // the score table's predictions are on the label's scale: their RMSE on the holdout rows is the registered one
        CliRun shown = run(common, "models", "show", "houses-paramavg:1");
        double registered = number(shown.out(), "\"holdout_rmse\" : ([0-9.E]+)");
        double scored = Double.parseDouble(value("SELECT sqrt(avg(pow(s.prediction - d.SalePrice, 2))) FROM scores.houses s JOIN raw.houses d USING (row_key) "
                + "WHERE pmod(xxhash64(row_key, 42L), 10000) < 2000"));
        assertEquals(registered, scored, registered * 1e-4);
        CliRun threshold = run(common, "score", "--table", "raw.houses", "--model", "houses-paramavg", "--date", "2026-12-01", "--all-dates", "--threshold", "0.3");
        assertEquals("fedlake: error: --threshold applies to a model with a binary output; houses-paramavg predicts [SalePrice (regression)]", threshold.err().strip());
    }

    @Test
    void optionsForAUsersTableAreRefusedWhereTheyDoNotApply() {
        CliRun both = run(common, "ingest", "--source", csv.toString(), "--table", "raw.x", "--key", "a", "--generate-key", "b");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("give --key COLUMN or --generate-key NAME, not both"), both.err());
        CliRun folderLabel = run(common, "ingest", "--format", "image-folder", "--source", images.toString(), "--table", "raw.y", "--label", "x");
        assertEquals(2, folderLabel.code());
        assertTrue(folderLabel.err().contains("--format image-folder does not use --label"), folderLabel.err());
        CliRun presetPositive = run(common, "train", "--positive", "1", "--epochs", "1");
        assertEquals(2, presetPositive.code(), presetPositive.err());
        assertTrue(presetPositive.err().contains("--positive, --image and --task apply to a user's table: give --table"), presetPositive.err());
    }
}
