/**
 * Pure, seeded image augmentations, batch-level Mixup/CutMix, the recipes selected by spec strings,
 * and a preview grid to look at their effect.
 */
package dev.imgclass.data.augment;
