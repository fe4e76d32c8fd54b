package dev.ember.data.transforms;

import dev.ember.data.ImageShape;
import java.util.List;
import java.util.random.RandomGenerator;

/** Applies transforms in order, passing them the same generator, as torchvision's {@code Compose}. */
public final class Compose implements Transform {
    private final List<Transform> steps;

    public Compose(Transform... steps) {
        this(List.of(steps));
    }

    public Compose(List<Transform> steps) {
        this.steps = List.copyOf(steps);
    }

    @Override
    public ImageShape outputShape(ImageShape input) {
        ImageShape shape = input;
        for (Transform step : steps) {
            shape = step.outputShape(shape);
        }
        return shape;
    }

    @Override
    public boolean isRandom() {
        return steps.stream().anyMatch(Transform::isRandom);
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        FloatImage current = image;
        for (Transform step : steps) {
            current = step.apply(current, random);
        }
        return current;
    }
}
