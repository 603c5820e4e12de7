/**
 * Everything that needs the training engine (libtorch): the engine, the model zoo, the training
 * loop, checkpoints and the ONNX exporter. {@link dev.imgclass.train.Training} is the entry point
 * for Java code.
 */
package dev.imgclass.train;
