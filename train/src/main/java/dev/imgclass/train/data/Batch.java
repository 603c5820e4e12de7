package dev.imgclass.train.data;

/**
 * One mini-batch ready for the engine.
 *
 * @param inputs normalized pixels, (size, C, H, W) flattened
 * @param labels class indices, one per image
 * @param size images in the batch (the last batch of an epoch may be smaller)
 */
public record Batch(float[] inputs, long[] labels, int size) {}
