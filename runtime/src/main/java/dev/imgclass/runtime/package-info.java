/** What deployed code programs against: a classifier that turns pictures into ranked labels. */
package dev.imgclass.runtime;
