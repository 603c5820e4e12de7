/** Running a libtorch model over labelled data or pictures: evaluation and eager inference. */
package dev.imgclass.eval;
