/** Pure, seeded image augmentations and the named recipes built from them. */
package dev.imgclass.train.augment;
