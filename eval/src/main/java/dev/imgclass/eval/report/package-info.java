/** Run reports and model comparisons as self-contained HTML pages with JFreeChart plots. */
package dev.imgclass.eval.report;
