/** The {@code imgclass} command line: one picocli command class per verb. */
package dev.imgclass.cli;
