package dev.ember.job;

import dev.ember.optim.Adam;
import dev.ember.optim.AdamW;
import dev.ember.optim.CosineAnnealingLR;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.optim.StepLR;
import dev.ember.tensor.Tensor;

import java.util.List;

/** Builds the optimizer and learning-rate schedule a job asks for. */
public final class Optimizers {
    private Optimizers() {
    }

    public static Optimizer create(JobConfig job, List<Tensor> params) {
        double lr = job.number(JobKey.LR);
        double wd = job.number(JobKey.WEIGHT_DECAY);
        return switch (job.string(JobKey.OPTIMIZER)) {
            case "sgd" -> SGD.builder(params, lr).momentum(job.number(JobKey.MOMENTUM))
                    .nesterov(job.flag(JobKey.NESTEROV)).weightDecay(wd).build();
            case "adam" -> new Adam(params, lr, 0.9, 0.999, 1e-8, wd);
            case "adamw" -> new AdamW(params, lr, 0.9, 0.999, 1e-8, job.isSet(JobKey.WEIGHT_DECAY) ? wd : 1e-2);
            default -> throw new JobConfigException(job.source() + ": optimizer: expected sgd, adam or adamw, got '"
                    + job.string(JobKey.OPTIMIZER) + "'");
        };
    }

    /** The schedule, or null for a constant rate. */
    public static LRScheduler scheduler(JobConfig job, Optimizer optimizer) {
        return switch (job.string(JobKey.SCHEDULER)) {
            case "none" -> null;
            case "step" -> new StepLR(optimizer, job.integer(JobKey.STEP_SIZE), job.number(JobKey.GAMMA));
            case "cosine" -> new CosineAnnealingLR(optimizer, job.integer(JobKey.EPOCHS), 0);
            default -> throw new JobConfigException(job.source() + ": scheduler: expected none, step or cosine, got '"
                    + job.string(JobKey.SCHEDULER) + "'");
        };
    }
}
