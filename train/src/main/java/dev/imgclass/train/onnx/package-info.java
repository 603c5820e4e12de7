/** The ONNX graph builder that model blocks write their nodes into, shared by the exporter. */
package dev.imgclass.train.onnx;
