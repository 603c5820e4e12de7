package dev.imgclass.runtime;

/**
 * One ranked answer of a classifier.
 *
 * @param index class index in the model's class list
 * @param label class name
 * @param probability softmax probability in [0, 1]
 */
public record Prediction(int index, String label, double probability) {}
