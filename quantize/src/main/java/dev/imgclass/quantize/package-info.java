/** INT8 post-training quantization of ONNX files: the QDQ rewrite and its calibrators. */
package dev.imgclass.quantize;
