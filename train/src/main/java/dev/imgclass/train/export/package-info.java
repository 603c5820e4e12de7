/** ONNX export: our block classes write their own nodes, batch norm folded into convolutions. */
package dev.imgclass.train.export;
