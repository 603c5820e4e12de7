/** The training loop, its optimizers, schedule, loss, checkpoints and listeners. */
package dev.imgclass.train.training;
