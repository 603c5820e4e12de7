/** The thin layer over libtorch: threads, precision, tensor conversion. */
package dev.imgclass.train.engine;
