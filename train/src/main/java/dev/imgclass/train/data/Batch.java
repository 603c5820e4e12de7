package dev.imgclass.train.data;

/**
 * One mini-batch ready for the engine.
 *
 * @param inputs normalized pixels, (size, C, H, W) flattened
 * @param labels class indices, one per image
 * @param size images in the batch (the last batch of an epoch may be smaller)
 * @param seed seeds libtorch's generator for this step (dropout), derived from (run seed, epoch,
 *     batch) like the augmentation, so a resumed run draws the same masks
 */
public record Batch(float[] inputs, long[] labels, int size, long seed) {}
