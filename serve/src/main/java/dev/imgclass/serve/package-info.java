/**
 * The HTTP inference server: the model store, dynamic batching, hot swap, the Open Inference
 * Protocol and image endpoints, the admin API and Prometheus metrics; never the training engine.
 */
package dev.imgclass.serve;
