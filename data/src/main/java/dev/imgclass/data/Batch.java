package dev.imgclass.data;

/**
 * One mini-batch ready for the engine.
 *
 * @param inputs normalized pixels, (size, C, H, W) flattened
 * @param labels class indices, one per image (for mixed batches: the dominant class)
 * @param size images in the batch (the last batch of an epoch may be smaller)
 * @param seed seeds libtorch's generator for this step (dropout), derived from (run seed, epoch,
 *     batch) like the augmentation, so a resumed run draws the same masks
 * @param targets soft targets (size × classes, rows summing to 1) when the batch was mixed (Mixup,
 *     CutMix); {@code null} otherwise
 * @param indices the dataset index each row was read from (after a bad file's substitute), for what
 *     is kept per image, such as a distillation teacher's cached logits; {@code null} when the
 *     batch did not come from a dataset
 */
public record Batch(
    float[] inputs, long[] labels, int size, long seed, float[] targets, int[] indices) {
  public Batch(float[] inputs, long[] labels, int size, long seed) {
    this(inputs, labels, size, seed, null, null);
  }
}
