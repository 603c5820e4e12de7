package dev.imgclass.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping names to dtype, shape and byte offsets, then the raw tensor bytes. Every field is checked
 * on read, so a corrupt or truncated file is refused with a clear message rather than loaded.
 */
public final class Safetensors {
  private static final long MAX_HEADER = 100L * 1024 * 1024;
  // a name given twice is refused, not silently resolved to the last entry
  private static final ObjectMapper PLAIN =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private Safetensors() {}

  /** A file's tensors in header order, and its free-form string metadata. */
  public record Contents(Map<String, TensorData> tensors, Map<String, String> metadata) {}

  public static Contents read(Path file) {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ImgclassException("weights file not found: " + file);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(all, file.toString());
  }

  /**
   * The free-form metadata of {@code file}, reading only its header: for a look at a checkpoint's
   * model card without loading its tensors.
   */
  public static Map<String, String> metadata(Path file) {
    String name = file.toString();
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
      long size = ch.size();
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      while (len.hasRemaining() && ch.read(len) >= 0) {}
      if (len.hasRemaining())
        throw corrupt(name, "file is " + size + " bytes, shorter than the 8-byte header length");
      long headerLen = len.getLong(0);
      if (headerLen <= 1 || headerLen > MAX_HEADER || 8 + headerLen > size)
        throw corrupt(
            name, "header length " + headerLen + " does not fit a file of " + size + " bytes");
      ByteBuffer h = ByteBuffer.allocate((int) headerLen);
      while (h.hasRemaining() && ch.read(h) >= 0) {}
      JsonNode header;
      try {
        header = PLAIN.readTree(new String(h.array(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw corrupt(name, "header is not valid JSON");
      }
      if (header == null || !header.isObject()) throw corrupt(name, "header is not a JSON object");
      Map<String, String> metadata = new LinkedHashMap<>();
      JsonNode m = header.get("__metadata__");
      if (m != null)
        m.fields().forEachRemaining(e -> metadata.put(e.getKey(), e.getValue().asText()));
      return metadata;
    } catch (NoSuchFileException e) {
      throw new ImgclassException("weights file not found: " + file);
    } catch (IOException e) {
      throw new ImgclassException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  static Contents parse(byte[] all, String name) {
    if (all.length < 8) {
      throw corrupt(
          name, "file is " + all.length + " bytes, shorter than the 8-byte header length");
    }
    long headerLen = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLen <= 1 || headerLen > MAX_HEADER || 8 + headerLen > all.length) {
      throw corrupt(
          name, "header length " + headerLen + " does not fit a file of " + all.length + " bytes");
    }
    JsonNode header;
    try {
      header = PLAIN.readTree(new String(all, 8, (int) headerLen, StandardCharsets.UTF_8));
    } catch (IOException e) {
      String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
      throw corrupt(
          name,
          why.startsWith("Duplicate field")
              ? "header names a tensor twice (" + why + ")"
              : "header is not valid JSON");
    }
    if (header == null || !header.isObject()) throw corrupt(name, "header is not a JSON object");
    int dataStart = 8 + (int) headerLen;
    long dataLen = all.length - (long) dataStart;
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    List<Range> ranges = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      JsonNode t = e.getValue();
      JsonNode offsets = t.get("data_offsets");
      JsonNode shapeNode = t.get("shape");
      if (!t.hasNonNull("dtype") || offsets == null || offsets.size() != 2 || shapeNode == null) {
        throw corrupt(name, "entry '" + e.getKey() + "' lacks dtype, shape or data_offsets");
      }
      long begin = offsets.get(0).asLong(-1);
      long end = offsets.get(1).asLong(-1);
      if (begin < 0 || end < begin || end > dataLen) {
        throw corrupt(
            name,
            "tensor '"
                + e.getKey()
                + "' lies outside the data ("
                + begin
                + ".."
                + end
                + " of "
                + dataLen
                + " bytes); the file is truncated or corrupt");
      }
      long[] shape = new long[shapeNode.size()];
      for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong(-1);
      byte[] bytes = new byte[(int) (end - begin)];
      System.arraycopy(all, dataStart + (int) begin, bytes, 0, bytes.length);
      try {
        tensors.put(e.getKey(), new TensorData(t.get("dtype").asText(), shape, bytes));
      } catch (ImgclassException ex) {
        throw corrupt(name, "tensor '" + e.getKey() + "': " + ex.getMessage());
      }
      ranges.add(new Range(e.getKey(), begin, end));
    }
    ranges.sort(Comparator.comparingLong(Range::begin));
    for (int i = 1; i < ranges.size(); i++) {
      Range a = ranges.get(i - 1);
      Range b = ranges.get(i);
      if (b.begin() < a.end()) throw corrupt(name, "tensors " + a + " and " + b + " overlap");
    }
    return new Contents(tensors, metadata);
  }

  /** Where one tensor's bytes lie, relative to the start of the data. */
  private record Range(String tensor, long begin, long end) {
    @Override
    public String toString() {
      return "'" + tensor + "' (bytes " + begin + ".." + end + ")";
    }
  }

  /** Writes the tensors in the given order, atomically. */
  public static void write(
      Path file, Map<String, TensorData> tensors, Map<String, String> metadata) {
    write(file, tensors, metadata, f -> {});
  }

  /**
   * Writes the tensors in the given order to a temporary file beside {@code file}, runs {@code
   * check} on that complete file (a read-back, say), and only then renames it over {@code file}; a
   * check that throws leaves {@code file} as it was.
   */
  public static void write(
      Path file,
      Map<String, TensorData> tensors,
      Map<String, String> metadata,
      AtomicFiles.Check check) {
    ObjectNode header = PLAIN.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, TensorData> e : tensors.entrySet()) {
      TensorData t = e.getValue();
      ObjectNode n = header.putObject(e.getKey());
      n.put("dtype", t.dtype());
      var shape = n.putArray("shape");
      for (long d : t.shape()) shape.add(d);
      var off = n.putArray("data_offsets");
      off.add(offset);
      offset += t.bytes().length;
      off.add(offset);
    }
    byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8; // data starts 8-byte aligned
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putLong(padded).put(json);
    while (head.hasRemaining()) head.put((byte) ' ');
    head.flip();
    ByteBuffer[] parts = new ByteBuffer[tensors.size() + 1];
    parts[0] = head;
    int i = 1;
    for (TensorData t : tensors.values()) parts[i++] = ByteBuffer.wrap(t.bytes());
    AtomicFiles.write(file, parts, check);
  }

  private static ImgclassException corrupt(String name, String why) {
    return new ImgclassException("corrupt safetensors file " + name + ": " + why);
  }
}
