package io.fedlake.report;

import org.apache.commons.text.StringEscapeUtils;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page: every chart is a PNG embedded as a data URI, the style sheet is inline, nothing is
 * fetched when it opens (a report is mailed, archived and opened offline). Text is escaped; only this class writes tags.
 */
public final class Html {

    private static final String STYLE = """
            body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;color:#222;line-height:1.4}
            h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}
            h3{font-size:15px;margin-bottom:4px}p.note{color:#666;font-size:13px;margin:4px 0}
            table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}
            th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
            .figures{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:12px;color:#555;max-width:560px}
            .warn{color:#a33;font-weight:bold}
            """;

    private final StringBuilder body = new StringBuilder();
    private final String title;
    private int images;
    private boolean inFigures;

    public Html(String title) {
        this.title = title;
        body.append("<h1>").append(esc(title)).append("</h1>\n");
    }

    public static String esc(String s) {
        // markup characters only: the page is UTF-8, so ε and ≥ stay readable text rather than named entities
        return StringEscapeUtils.escapeXml10(s == null ? "" : s);
    }

    public Html section(String heading) {
        return element("h2", null, heading);
    }

    public Html subsection(String heading) {
        return element("h3", null, heading);
    }

    /** A muted line: where a number comes from, or why a section is empty. */
    public Html note(String text) {
        return element("p", "note", text);
    }

    /** A line the reader must not miss: the tables disagree, or a section could not be computed. */
    public Html warning(String text) {
        return element("p", "warn", text);
    }

    private Html element(String tag, String cssClass, String text) {
        closeFigures();
        body.append('<').append(tag).append(cssClass == null ? "" : " class=\"" + cssClass + "\"").append('>').append(esc(text))
                .append("</").append(tag).append(">\n");
        return this;
    }

    /** Two columns: name, value. */
    public Html keyValues(Map<String, String> values) {
        closeFigures();
        body.append("<table>\n");
        values.forEach((k, v) -> body.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n"));
        body.append("</table>\n");
        return this;
    }

    /** A table; cells that parse as numbers are right-aligned. */
    public Html table(List<String> headers, List<List<String>> rows) {
        closeFigures();
        body.append("<table>\n<tr>");
        headers.forEach(h -> body.append("<th>").append(esc(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<String> row : rows) {
            body.append("<tr>");
            for (String cell : row) {
                body.append(numeric(cell) ? "<td class=\"num\">" : "<td>").append(esc(cell)).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A PNG with its caption; consecutive figures flow side by side. */
    public Html figure(byte[] png, String alt, String caption) {
        if (!inFigures) {
            body.append("<div class=\"figures\">\n");
            inFigures = true;
        }
        images++;
        body.append("<figure><img alt=\"").append(esc(alt)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
        if (caption != null && !caption.isEmpty()) {
            body.append("<figcaption>").append(esc(caption)).append("</figcaption>");
        }
        body.append("</figure>\n");
        return this;
    }

    /** Images embedded so far. */
    public int images() {
        return images;
    }

    public byte[] toBytes() {
        closeFigures();
        String page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title><style>" + STYLE
                + "</style></head>\n<body>\n" + body + "</body></html>\n";
        return page.getBytes(StandardCharsets.UTF_8);
    }

    private void closeFigures() {
        if (inFigures) {
            body.append("</div>\n");
            inFigures = false;
        }
    }

    private static boolean numeric(String cell) {
        return cell != null && cell.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?(e[-+]?[0-9]+)?( ?%)?");
    }
}
