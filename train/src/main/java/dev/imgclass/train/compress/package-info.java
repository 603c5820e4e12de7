/** Model compression on the training engine: structured channel pruning ({@link Pruner}). */
package dev.imgclass.train.compress;
