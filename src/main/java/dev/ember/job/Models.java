package dev.ember.job;

import dev.ember.data.ImageShape;
import dev.ember.models.DenseNet;
import dev.ember.models.LeNet5;
import dev.ember.models.MLP;
import dev.ember.models.ResNet;
import dev.ember.models.SmallVGG;
import dev.ember.nn.Module;

import java.util.List;

/** Builds the model a job names for its images and classes. */
public final class Models {
    private Models() {
    }

    public static Module create(JobConfig job, ImageShape input, int numClasses) {
        int c = input.channels();
        return switch (job.string(JobKey.MODEL)) {
            case "mlp" -> new MLP(mlpSizes(job, input.numel(), numClasses));
            case "lenet5" -> {
                if (input.height() != input.width() || (input.height() != 28 && input.height() != 32)) {
                    throw new JobConfigException(job.source() + ": model lenet5 takes 28×28 or 32×32 images, the "
                            + "dataset has " + input.height() + "×" + input.width() + " (set resize = 28 or 32)");
                }
                yield new LeNet5(numClasses, c, input.height());
            }
            case "cnn" -> SmallVGG.small(numClasses, c);
            case "resnet18" -> ResNet.resnet18(numClasses, c);
            case "resnet34" -> ResNet.resnet34(numClasses, c);
            case "densenet121" -> DenseNet.densenet121(numClasses, c);
            default -> throw new JobConfigException(job.source() + ": model: expected mlp, lenet5, cnn, resnet18, "
                    + "resnet34 or densenet121, got '" + job.string(JobKey.MODEL) + "'");
        };
    }

    private static int[] mlpSizes(JobConfig job, int inputs, int numClasses) {
        List<String> hidden = job.list(JobKey.HIDDEN);
        int[] sizes = new int[hidden.size() + 2];
        sizes[0] = inputs;
        for (int i = 0; i < hidden.size(); i++) {
            try {
                sizes[i + 1] = Integer.parseInt(hidden.get(i));
            } catch (NumberFormatException e) {
                throw new JobConfigException(job.source() + ": hidden: expected comma-separated integers, got '"
                        + String.join(",", hidden) + "'");
            }
        }
        sizes[sizes.length - 1] = numClasses;
        return sizes;
    }
}
