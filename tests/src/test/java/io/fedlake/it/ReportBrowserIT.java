package io.fedlake.it;

import io.fedlake.cli.Fedlake;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reports open in a real browser: headless Chromium (Debian's package, installed by {@code tests/bin/chromium.sh})
 * loads the model reports of a credit, an imaging, a defect and a federated DP model, and two dates' scoring reports
 * (credit, and imaging with its grid of image explanations); every embedded chart and heatmap decodes (none broken), and a screenshot of each is taken (kept under
 * {@code tests/target/report-screenshots/}) and is not blank.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportBrowserIT {

    @TempDir
    static Path tmp;

    private static final Path SHOTS = SparkSubmit.ROOT.resolve("tests/target/report-screenshots");
    /** The pipeline scores the holdout at DATE; credit-dp scores SCORED's rows (a date replaces its earlier scores). */
    private static final String DATE = "2025-07-16";
    private static final String SCORED = "2025-07-15";
    private static final List<String> IMAGE_DOMAINS = List.of("imaging", "defect");
    private static final int EXPLAINED = 6;
    private String chromium;
    private String[] common;

    @BeforeAll
    void lakeWithFourModels() throws IOException, InterruptedException {
        chromium = run(List.of("bash", SparkSubmit.ROOT.resolve("tests/bin/chromium.sh").toString()), 600).trim();
        common = new String[]{"--lake", tmp.resolve("lake").toString(), "--master", "local[2]", "--conf", "spark.ui.enabled=false"};
        fedlake("pipeline", "--rows", "6000", "--image-rows", "300", "--rounds", "2", "--epochs", "1", "--date", DATE);
        fedlake("train", "--domain", "credit", "--regime", "fedavg", "--rounds", "3", "--dp-noise", "0.5", "--dp-epsilon", "50", "--name", "credit-dp");
        fedlake("score", "--domain", "credit", "--model", "credit-dp", "--date", SCORED);
        for (String domain : IMAGE_DOMAINS) { // every image scored under SCORED, the highest-scored explained
            fedlake("score", "--domain", domain, "--model", domain + "-fusion", "--date", SCORED, "--all-dates", "--explain-images", String.valueOf(EXPLAINED));
        }
        Files.createDirectories(SHOTS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"credit-mlp", "imaging-fusion", "defect-fusion", "credit-dp", "scores:credit", "scores:imaging"})
    void reportOpensInChromiumWithNoBrokenImage(String which) throws Exception {
        // the image domains scored every input row under SCORED (score --all-dates), and are reconciled as such
        String out = which.startsWith("scores:") ? fedlake(Stream.concat(Stream.of("report", "--scores", which.substring(7), "--date", SCORED),
                IMAGE_DOMAINS.contains(which.substring(7)) ? Stream.of("--all-dates") : Stream.empty()).toArray(String[]::new))
                : fedlake("report", "--model", which);
        Matcher m = Pattern.compile("\\((\\d+) charts.*: file:(\\S+)$", Pattern.MULTILINE).matcher(out);
        assertTrue(m.find(), out);
        int charts = Integer.parseInt(m.group(1));
        Path report = Path.of(m.group(2));
        // model reports: training curves, ROC, PR, reliability, per client, reason codes or none, distribution, drift
        assertTrue(charts >= (which.startsWith("scores:") ? 2 : 8), which + ": " + charts + " charts");
        if (which.startsWith("scores:")) {
            assertTrue(out.contains("reconciles)"), out);
        }
        String html = Files.readString(report);
        boolean images = IMAGE_DOMAINS.stream().anyMatch(which::contains);
        assertEquals(images ? EXPLAINED : 0, Pattern.compile("<img alt=\"explanation heatmap\"").matcher(html).results().count(),
                which + ": explanation heatmaps in the grid");
        assertEquals(images, html.contains("Image explanations"), which + ": image explanations section");
        assertTrue(!html.contains("was scored again since"), which + ": explanations of a run the scores no longer hold");

        // A probe appended to a copy of the page: after load, the body carries how many images there are and how
        // many the browser could not decode.
        Path probed = tmp.resolve(which.replace(':', '-') + "-probed.html");
        Files.writeString(probed, html.replace("</body>", "<script>window.addEventListener('load', () => { const i = [...document.images];"
                + " document.body.dataset.images = i.length; document.body.dataset.broken = i.filter(x => !x.complete || x.naturalWidth === 0).length; });"
                + "</script></body>"));
        String dom = run(chromium(List.of("--virtual-time-budget=10000", "--dump-dom", probed.toUri().toString())), 120);
        Matcher d = Pattern.compile("data-images=\"(\\d+)\" data-broken=\"(\\d+)\"").matcher(dom);
        assertTrue(d.find(), "probe did not run: " + dom.substring(0, Math.min(400, dom.length())));
        assertEquals(charts, Integer.parseInt(d.group(1)), which + ": images the browser sees");
        assertEquals(0, Integer.parseInt(d.group(2)), which + ": broken images");

        Path shot = SHOTS.resolve(which.replace(':', '-') + ".png");
        Files.deleteIfExists(shot);
        run(chromium(List.of("--window-size=1200,3000", "--screenshot=" + shot, report.toUri().toString())), 120);
        BufferedImage image = ImageIO.read(shot.toFile());
        assertEquals(1200, image.getWidth());
        double ink = inkShare(image);
        assertTrue(ink > 0.02, which + ": screenshot is nearly blank (" + ink + " of pixels not white)");
    }

    /** Share of pixels that are not (near) white: text, tables and charts. */
    private static double inkShare(BufferedImage image) {
        long ink = 0;
        long n = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                ink += r + g + b < 3 * 230 ? 1 : 0;
                n++;
            }
        }
        return ink / (double) n;
    }

    private List<String> chromium(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=" + tmp.resolve("chromium-profile")));
        cmd.addAll(args);
        return cmd;
    }

    private String fedlake(String... args) {
        String[] all = new String[common.length + args.length];
        System.arraycopy(common, 0, all, 0, common.length);
        System.arraycopy(args, 0, all, common.length, args.length);
        java.io.PrintStream old = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Fedlake.execute(all);
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, code, String.join(" ", args) + "\n" + out);
        return out;
    }

    /** Runs a command with a real time limit (its output goes to files, so a hung browser cannot block a read). */
    private static String run(List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds + " s: " + tail(err));
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + tail(err));
        }
        return Files.readString(out);
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }
}
