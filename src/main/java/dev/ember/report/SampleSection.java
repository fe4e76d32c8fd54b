package dev.ember.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The picture grid of validation examples and the most confidently wrong ones among them. */
final class SampleSection {
    static final int MOST_WRONG = 8;

    private final ValidationSamples samples;
    private final List<String> classNames;
    private final String[] cards;

    SampleSection(ValidationSamples samples, List<String> classNames) {
        this.samples = samples;
        this.classNames = classNames;
        this.cards = new String[samples.count()];
        for (int i = 0; i < cards.length; i++) {
            cards[i] = figure(i);
        }
    }

    String grid() {
        StringBuilder sb = new StringBuilder("<section id=\"samples\">\n<h2>Validation examples</h2>\n");
        sb.append("<p class=\"sub\">").append(samples.count())
                .append(" examples from samples.safetensors, each with its top-").append(SampleCards.TOP)
                .append(" predicted probabilities; ✓ marks the true class, red frames the wrong predictions.</p>\n")
                .append("<div class=\"grid\">\n");
        for (String card : cards) {
            sb.append(card);
        }
        return sb.append("</div>\n</section>\n").toString();
    }

    String mostConfidentlyWrong() {
        StringBuilder sb = new StringBuilder("<section id=\"wrong\">\n<h2>Most confidently wrong</h2>\n");
        List<Integer> shown = mostConfidentlyWrongIndices();
        if (shown.isEmpty()) {
            return sb.append("<p>No example in samples.safetensors is misclassified.</p>\n</section>\n").toString();
        }
        sb.append("<p class=\"sub\">The wrong predictions the model was surest of (")
                .append(samples.confidentlyWrong().size()).append(" of ").append(samples.count())
                .append(" examples are wrong).</p>\n<div class=\"grid\">\n");
        for (int i : shown) {
            sb.append(cards[i]);
        }
        return sb.append("</div>\n</section>\n").toString();
    }

    /** The wrong examples the section shows, most confident first. */
    List<Integer> mostConfidentlyWrongIndices() {
        List<Integer> wrong = samples.confidentlyWrong();
        return wrong.subList(0, Math.min(MOST_WRONG, wrong.size()));
    }

    /** The examples for the page's JSON block: label, prediction and top-3 per example. */
    List<Map<String, Object>> toJson() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < samples.count(); i++) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", i);
            o.put("label", samples.labels()[i]);
            o.put("predicted", samples.predicted(i));
            o.put("top", top(i));
            out.add(o);
        }
        return out;
    }

    private List<Map<String, Object>> top(int i) {
        int[] ranking = samples.ranking(i);
        float[] p = samples.probs(i);
        List<Map<String, Object>> top = new ArrayList<>();
        for (int r = 0; r < Math.min(SampleCards.TOP, ranking.length); r++) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("class", ranking[r]);
            o.put("probability", (double) p[ranking[r]]);
            top.add(o);
        }
        return top;
    }

    private String figure(int i) {
        int label = (int) samples.labels()[i];
        int predicted = samples.predicted(i);
        String truth = classNames.get(label);
        String guess = classNames.get(predicted);
        var card = SampleCards.render(samples, i, classNames);
        String alt = "validation example " + i + ": true " + truth + ", predicted " + guess;
        return "<figure class=\"sample" + (samples.wrong(i) ? " wrong" : "") + "\" data-index=\"" + i
                + "\" data-label=\"" + label + "\" data-predicted=\"" + predicted + "\" data-confidence=\""
                + Numbers.exact(samples.confidence(i)) + "\">"
                + Html.img(Png.dataUri(card), alt, card.getWidth(), card.getHeight())
                + "<figcaption>true <b>" + Html.escape(truth) + "</b> · predicted <b>" + Html.escape(guess) + "</b> ("
                + Numbers.fixed4(samples.confidence(i)) + ")</figcaption></figure>\n";
    }
}
