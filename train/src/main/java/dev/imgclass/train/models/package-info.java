/** Model building blocks, the architectures made of them, and the registry that names them. */
package dev.imgclass.train.models;
