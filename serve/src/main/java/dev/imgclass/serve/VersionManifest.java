package dev.imgclass.serve;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the store knows of one immutable model version: written by {@link ModelStore#add} next to
 * the file as {@code manifest.json}, checked against the file before every load.
 *
 * @param name model name
 * @param version 1, 2, … in the order added
 * @param sha256 hex SHA-256 of {@code model.onnx}
 * @param bytes size of {@code model.onnx}
 * @param addedAt ISO-8601 instant of the add
 * @param source the file it was copied from (provenance only; never read again)
 * @param architecture the model's architecture, from its imgclass metadata
 * @param classes class names, from its imgclass metadata
 * @param quantized whether the file is an INT8 (QDQ) model
 */
public record VersionManifest(
    String name,
    int version,
    String sha256,
    long bytes,
    @JsonProperty("added_at") String addedAt,
    String source,
    String architecture,
    List<String> classes,
    boolean quantized) {
  public VersionManifest {
    classes = List.copyOf(classes);
  }
}
