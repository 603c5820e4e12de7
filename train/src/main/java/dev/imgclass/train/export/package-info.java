/**
 * Export: ONNX (our block classes write their own nodes, batch norm folded into convolutions) and
 * torchvision state_dicts in safetensors.
 */
package dev.imgclass.train.export;
