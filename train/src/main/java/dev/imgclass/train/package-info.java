/** Everything that needs the training engine (libtorch): data, models, training, evaluation. */
package dev.imgclass.train;
