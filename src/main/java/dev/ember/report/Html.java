package dev.ember.report;

/** Escaping for text and attribute values, and the few tags the report repeats. */
final class Html {
    private Html() {
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    static String img(String dataUri, String alt, int width, int height) {
        return "<img src=\"" + dataUri + "\" alt=\"" + escape(alt) + "\" width=\"" + width + "\" height=\"" + height
                + "\">";
    }

    /** A table cell showing {@code shown} and carrying the exact value for machines. */
    static String numberCell(String key, double exact, String shown) {
        return "<td class=\"num\" data-key=\"" + key + "\" data-value=\"" + Numbers.exact(exact) + "\">" + shown
                + "</td>";
    }

    /**
     * JSON inside a script element: "</" would end the element early, so it is written as the
     * equivalent JSON escape "<\/".
     */
    static String jsonScript(String id, String json) {
        return "<script type=\"application/json\" id=\"" + id + "\">" + json.replace("</", "<\\/") + "</script>";
    }
}
