/** Datasets held in memory as 8-bit images: IDX files (Fashion-MNIST), synthetic data, splits. */
package dev.imgclass.data;
