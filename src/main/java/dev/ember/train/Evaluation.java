package dev.ember.train;

/**
 * Loss, accuracy and confusion matrix of a model on a dataset. {@code confusion[t][p]} counts images
 * of true class t predicted as p; evaluations of disjoint shards add up with {@link #merge}.
 */
public record Evaluation(double lossSum, long correct, long count, long[][] confusion) {

    public static Evaluation empty(int numClasses) {
        return new Evaluation(0, 0, 0, new long[numClasses][numClasses]);
    }

    public double loss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }

    /** The evaluation of the union of two disjoint shards. */
    public Evaluation merge(Evaluation other) {
        long[][] c = new long[confusion.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = confusion[i].clone();
            for (int j = 0; j < c[i].length; j++) {
                c[i][j] += other.confusion[i][j];
            }
        }
        return new Evaluation(lossSum + other.lossSum, correct + other.correct, count + other.count, c);
    }
}
