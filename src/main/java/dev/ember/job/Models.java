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
            case "cnn" -> {
                int[] hidden = integers(job, JobKey.HIDDEN);
                if (hidden.length != 1) {
                    throw new JobConfigException(job.source() + ": hidden: the cnn's classifier has one hidden layer, got '"
                            + String.join(",", job.list(JobKey.HIDDEN)) + "'");
                }
                yield new SmallVGG(cnnLayers(job), true, job.integer(JobKey.CNN_POOL), hidden[0], job.number(JobKey.DROPOUT), numClasses, c);
            }
            case "resnet18" -> ResNet.resnet18(numClasses, c);
            case "resnet34" -> ResNet.resnet34(numClasses, c);
            case "densenet121" -> DenseNet.densenet121(numClasses, c);
            default -> throw new JobConfigException(job.source() + ": model: expected mlp, lenet5, cnn, resnet18, "
                    + "resnet34 or densenet121, got '" + job.string(JobKey.MODEL) + "'");
        };
    }

    private static int[] mlpSizes(JobConfig job, int inputs, int numClasses) {
        int[] hidden = integers(job, JobKey.HIDDEN);
        int[] sizes = new int[hidden.length + 2];
        sizes[0] = inputs;
        System.arraycopy(hidden, 0, sizes, 1, hidden.length);
        sizes[sizes.length - 1] = numClasses;
        return sizes;
    }

    private static int[] integers(JobConfig job, JobKey key) {
        List<String> items = job.list(key);
        try {
            return items.stream().mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new JobConfigException(job.source() + ": " + key.key() + ": expected comma-separated integers, got '"
                    + String.join(",", items) + "'");
        }
    }

    /** cnn_layers: widths and M (pools), as SmallVGG's config. */
    private static int[] cnnLayers(JobConfig job) {
        List<String> items = job.list(JobKey.CNN_LAYERS);
        int[] config = new int[items.size()];
        for (int i = 0; i < config.length; i++) {
            String item = items.get(i).trim();
            try {
                config[i] = item.equalsIgnoreCase("M") ? SmallVGG.M : Integer.parseInt(item);
            } catch (NumberFormatException e) {
                config[i] = 0;
            }
            if (config[i] == 0 || config[i] < SmallVGG.M) {
                throw new JobConfigException(job.source() + ": cnn_layers: expected conv widths and M (pool), e.g. "
                        + "32,M,64,M, got '" + String.join(",", items) + "'");
            }
        }
        return config;
    }
}
