/**
 * Online experiments on deployed models, free of HTTP and of the training engine: {@link
 * dev.imgclass.experiments.Assignment} (which arm a unit sees), the events ({@link
 * dev.imgclass.experiments.Exposure}, {@link dev.imgclass.experiments.Feedback}) and where they are
 * kept ({@link dev.imgclass.experiments.EventStore}, written by {@link
 * dev.imgclass.experiments.EventWriter}), and the statistics an analyst signs.
 */
package dev.imgclass.experiments;
