package dev.imgclass.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.OnnxMetadata;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The Open Inference Protocol (KServe V2) tensors: parsing an infer request into a batch of model
 * inputs, checked against the model's input, and writing the response. The request is read by
 * Jackson's streaming parser, so a large tensor is never held as a tree. Both JSON tensors and the
 * binary tensor data extension (a JSON header of {@code Inference-Header-Content-Length} bytes,
 * then the tensors little-endian, row-major) are read; outputs are written as JSON or, when asked
 * ({@code binary_data} on an output, {@code binary_data_output} on the request), as binary.
 */
final class V2Tensors {
  /** The outputs a model answers: its logits, and their softmax. */
  static final String LOGITS = OnnxMetadata.OUTPUT;

  static final String PROBABILITIES = "probabilities";
  static final Set<String> DATATYPES =
      Set.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "FP32", "FP64", "BYTES", "BF16");
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_VALUES = 64 << 20;

  /** The binary tensor data extension's header: the length of the body's JSON part. */
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  /**
   * A parsed request: its id, images (n, C, S, S) flattened, the outputs asked for, and which of
   * them go back as binary data.
   */
  record Request(String id, float[] input, int n, List<String> outputs, Set<String> binary) {
    Request(String id, float[] input, int n, List<String> outputs) {
      this(id, input, n, outputs, Set.of());
    }
  }

  private V2Tensors() {}

  /** A JSON request: the whole body is JSON. */
  static Request parse(byte[] body, ModelSpec spec) {
    return parse(body, -1, spec);
  }

  /**
   * Parses a request whose first {@code jsonLength} bytes are JSON and the rest binary tensor data,
   * or (negative) all JSON.
   */
  static Request parse(byte[] body, int jsonLength, ModelSpec spec) {
    if (body.length == 0) throw HttpError.badRequest("empty request body: send an infer request");
    boolean binaryBody = jsonLength >= 0;
    int jsonEnd = binaryBody ? jsonLength : body.length;
    try (JsonParser p = JSON.createParser(body, 0, jsonEnd)) {
      if (p.nextToken() != JsonToken.START_OBJECT)
        throw HttpError.badRequest(
            binaryBody
                ? "the first "
                    + HEADER_LENGTH
                    + " = "
                    + jsonLength
                    + " bytes must be the JSON request object"
                : "the request body must be a JSON object");
      String id = null;
      float[] input = null;
      int n = 0;
      List<Output> outputs = null;
      boolean binaryOutput = false;
      boolean sawInputs = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        switch (field) {
          case "id" -> {
            if (t != JsonToken.VALUE_STRING) throw HttpError.badRequest("'id' must be a string");
            id = p.getText();
            if (id.length() > 256) throw HttpError.badRequest("'id' is over 256 characters");
          }
          case "inputs" -> {
            if (t != JsonToken.START_ARRAY) throw HttpError.badRequest("'inputs' must be an array");
            if (p.nextToken() != JsonToken.START_OBJECT)
              throw HttpError.badRequest("'inputs' must hold one tensor object");
            Input in = input(p, spec, body, jsonEnd, binaryBody);
            input = in.data;
            n = in.n;
            if (p.nextToken() != JsonToken.END_ARRAY)
              throw HttpError.badRequest(
                  "this model has one input, '" + OnnxMetadata.INPUT + "'; the request has more");
            sawInputs = true;
          }
          case "outputs" -> outputs = outputs(p, t);
          case "parameters" -> {
            if (t != JsonToken.START_OBJECT)
              throw HttpError.badRequest("'parameters' must be an object");
            binaryOutput = flag(p, "binary_data_output");
          }
          default -> throw HttpError.badRequest("unknown field '" + abbreviate(field) + "'");
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null)
        throw HttpError.badRequest("malformed JSON after the request object");
      if (!sawInputs) throw HttpError.badRequest("the request has no 'inputs'");
      List<String> names = new ArrayList<>();
      Set<String> binary = new java.util.HashSet<>();
      if (outputs == null) {
        names.addAll(List.of(LOGITS, PROBABILITIES));
        if (binaryOutput) binary.addAll(names);
      } else {
        for (Output o : outputs) {
          names.add(o.name());
          if (o.binary().orElse(binaryOutput)) binary.add(o.name());
        }
      }
      return new Request(id, input, n, List.copyOf(names), Set.copyOf(binary));
    } catch (IOException e) {
      throw HttpError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
  }

  private record Input(float[] data, int n) {}

  private static Input input(
      JsonParser p, ModelSpec spec, byte[] body, int jsonEnd, boolean binaryBody)
      throws IOException {
    String name = null;
    String datatype = null;
    long[] shape = null;
    float[] data = null;
    int count = 0;
    long binarySize = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "name" -> name = p.getValueAsString();
        case "datatype" -> datatype = p.getValueAsString();
        case "shape" -> shape = shape(p, t);
        case "parameters" -> {
          if (t != JsonToken.START_OBJECT)
            throw HttpError.badRequest("the input's 'parameters' must be an object");
          binarySize = binaryDataSize(p);
        }
        case "data" -> {
          if (t != JsonToken.START_ARRAY)
            throw HttpError.badRequest("'data' must be an array of numbers");
          if (shape != null) { // the usual order: size known, read straight into place
            checkShape(name, datatype, shape, spec);
            data = new float[Math.toIntExact(product(shape))];
          } else {
            data = new float[1024];
          }
          int[] filled = {0};
          data = fill(p, data, filled, shape == null, 0);
          count = filled[0];
        }
        default -> throw HttpError.badRequest("unknown input field '" + abbreviate(field) + "'");
      }
    }
    if (shape == null) throw HttpError.badRequest("the input tensor has no 'shape'");
    checkShape(name, datatype, shape, spec);
    long need = product(shape);
    int trailing = body.length - jsonEnd;
    if (binarySize >= 0) {
      if (data != null)
        throw HttpError.badRequest("the input has both 'data' and 'binary_data_size': send one");
      if (!binaryBody)
        throw HttpError.badRequest(
            "'binary_data_size' needs the "
                + HEADER_LENGTH
                + " header (the length of the JSON part of the body)");
      if (binarySize != need * 4)
        throw HttpError.badRequest(
            "'binary_data_size' is "
                + binarySize
                + " bytes; shape "
                + show(shape)
                + " of FP32 needs "
                + need * 4);
      if (trailing != binarySize)
        throw HttpError.badRequest(
            "the body holds "
                + trailing
                + " bytes after its JSON header; 'binary_data_size' says "
                + binarySize);
      return new Input(floats(body, jsonEnd, (int) need), (int) shape[0]);
    }
    if (trailing > 0)
      throw HttpError.badRequest(
          "the body holds "
              + trailing
              + " bytes after its JSON header that no input claims with 'binary_data_size'");
    if (data == null) throw HttpError.badRequest("the input tensor has no 'data'");
    if (count != need)
      throw HttpError.badRequest(
          "'data' holds " + count + " values; shape " + show(shape) + " needs " + need);
    return new Input(
        data.length == count ? data : java.util.Arrays.copyOf(data, count), (int) shape[0]);
  }

  private static void checkShape(String name, String datatype, long[] shape, ModelSpec spec) {
    if (name == null) throw HttpError.badRequest("the input tensor has no 'name'");
    if (!name.equals(OnnxMetadata.INPUT))
      throw HttpError.badRequest(
          "unknown input '"
              + abbreviate(name)
              + "': this model's input is '"
              + OnnxMetadata.INPUT
              + "'");
    if (datatype == null) throw HttpError.badRequest("the input tensor has no 'datatype'");
    if (!DATATYPES.contains(datatype))
      throw HttpError.badRequest("unknown datatype '" + abbreviate(datatype) + "'");
    if (!datatype.equals("FP32"))
      throw HttpError.badRequest(
          "datatype " + datatype + " is not accepted: this model takes FP32");
    int c = spec.inChannels();
    int s = spec.inputSize();
    if (shape.length != 4 || shape[1] != c || shape[2] != s || shape[3] != s || shape[0] < 1)
      throw HttpError.badRequest(
          "input shape "
              + show(shape)
              + " does not fit this model: it takes [N, "
              + c
              + ", "
              + s
              + ", "
              + s
              + "] with N >= 1");
  }

  private static long[] shape(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) throw HttpError.badRequest("'shape' must be an array");
    List<Long> dims = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || dims.size() >= 8)
        throw HttpError.badRequest("'shape' must be a short array of integers");
      dims.add(p.getLongValue());
    }
    long[] out = dims.stream().mapToLong(Long::longValue).toArray();
    if (product(out) > MAX_VALUES)
      throw HttpError.badRequest("shape " + show(out) + " is too large");
    return out;
  }

  /**
   * Reads numbers (flat or nested arrays, row-major) into {@code out} from {@code at[0]}, growing
   * it when {@code grow} (shape not yet known), and returns the array holding them.
   */
  private static float[] fill(JsonParser p, float[] out, int[] at, boolean grow, int depth)
      throws IOException {
    if (depth > 8) throw HttpError.badRequest("'data' is nested too deeply");
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
        if (at[0] >= out.length) {
          if (!grow || out.length >= MAX_VALUES)
            throw HttpError.badRequest("'data' holds more values than its shape allows");
          out = java.util.Arrays.copyOf(out, (int) Math.min(MAX_VALUES, 2L * out.length));
        }
        out[at[0]++] =
            Decimals.parseFloat(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      } else if (t == JsonToken.START_ARRAY) {
        out = fill(p, out, at, grow, depth + 1);
      } else if (t == null) {
        throw HttpError.badRequest("malformed JSON: the body ends inside 'data'");
      } else {
        throw HttpError.badRequest(
            "'data' must hold FP32 numbers only, found "
                + (t == JsonToken.VALUE_STRING ? "a string" : t.asString()));
      }
    }
    return out;
  }

  /** {@code binary_data_size} of an input's parameters object (the parser at its start), or -1. */
  private static long binaryDataSize(JsonParser p) throws IOException {
    long size = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals("binary_data_size")) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0)
          throw HttpError.badRequest("'binary_data_size' must be a non-negative integer");
        size = p.getLongValue();
      } else {
        p.skipChildren();
      }
    }
    return size;
  }

  /**
   * The boolean {@code name} of a parameters object (the parser at its start): false when absent.
   */
  private static boolean flag(JsonParser p, String name) throws IOException {
    Optional<Boolean> v = optionalFlag(p, name);
    return v.orElse(false);
  }

  private static Optional<Boolean> optionalFlag(JsonParser p, String name) throws IOException {
    Optional<Boolean> v = Optional.empty();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      if (field.equals(name)) {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE)
          throw HttpError.badRequest("'" + name + "' must be true or false");
        v = Optional.of(t == JsonToken.VALUE_TRUE);
      } else {
        p.skipChildren();
      }
    }
    return v;
  }

  /** {@code n} little-endian FP32 values from {@code at}; a NaN or infinity is refused. */
  private static float[] floats(byte[] body, int at, int n) {
    float[] v = new float[n];
    java.nio.ByteBuffer.wrap(body, at, n * 4)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(v);
    for (int i = 0; i < n; i++)
      if (!Float.isFinite(v[i]))
        throw HttpError.badRequest("the binary input holds a non-finite value at element " + i);
    return v;
  }

  /** An output asked for: its name and, when the request says, whether it goes back binary. */
  private record Output(String name, Optional<Boolean> binary) {}

  private static List<Output> outputs(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.START_ARRAY) throw HttpError.badRequest("'outputs' must be an array");
    List<Output> names = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      Optional<Boolean> binary = Optional.empty();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken ft = p.nextToken();
        if (field.equals("name")) name = p.getValueAsString();
        else if (field.equals("parameters") && ft == JsonToken.START_OBJECT)
          binary = optionalFlag(p, "binary_data");
        else p.skipChildren();
      }
      if (!LOGITS.equals(name) && !PROBABILITIES.equals(name))
        throw HttpError.badRequest(
            "unknown output '"
                + (name == null ? "" : abbreviate(name))
                + "': this model answers '"
                + LOGITS
                + "' and '"
                + PROBABILITIES
                + "'");
      names.add(new Output(name, binary));
    }
    if (p.currentToken() != JsonToken.END_ARRAY)
      throw HttpError.badRequest("'outputs' must be an array of objects");
    return names;
  }

  /** The infer response as JSON: the outputs asked for, each (n, K) FP32. */
  static byte[] response(
      String model, int version, String id, List<String> outputs, float[][] logits) {
    return response(model, version, id, outputs, Set.of(), logits).body();
  }

  /**
   * The infer response: the outputs asked for, each (n, K) FP32; those in {@code binary} as binary
   * tensor data after the JSON header (then the reply names the header's length), the rest as JSON.
   */
  static Pipeline.Reply response(
      String model,
      int version,
      String id,
      List<String> outputs,
      Set<String> binary,
      float[][] logits) {
    int k = logits.length == 0 ? 0 : logits[0].length;
    int bytesPer = logits.length * k * 4;
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + logits.length * 160);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("model_name", model);
      g.writeStringField("model_version", Integer.toString(version));
      if (id != null) g.writeStringField("id", id);
      g.writeArrayFieldStart("outputs");
      for (String name : outputs) {
        g.writeStartObject();
        g.writeStringField("name", name);
        g.writeStringField("datatype", "FP32");
        g.writeArrayFieldStart("shape");
        g.writeNumber(logits.length);
        g.writeNumber(k);
        g.writeEndArray();
        if (binary.contains(name)) {
          g.writeObjectFieldStart("parameters");
          g.writeNumberField("binary_data_size", bytesPer);
          g.writeEndObject();
        } else {
          g.writeArrayFieldStart("data");
          for (float[] row : logits) for (float x : values(name, row)) g.writeNumber(x);
          g.writeEndArray();
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (binary.isEmpty()) return Pipeline.Reply.json(out.toByteArray());
    int jsonLength = out.size();
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(bytesPer).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (String name : outputs) {
      if (!binary.contains(name)) continue;
      b.clear();
      for (float[] row : logits) for (float x : values(name, row)) b.putFloat(x);
      out.write(b.array(), 0, bytesPer);
    }
    return new Pipeline.Reply(out.toByteArray(), jsonLength);
  }

  private static float[] values(String output, float[] row) {
    if (!output.equals(PROBABILITIES)) return row;
    float[] v = row.clone();
    dev.imgclass.runtime.Classifier.softmaxInPlace(v);
    return v;
  }

  private static long product(long[] shape) {
    long p = 1;
    for (long d : shape) {
      if (d < 0) return -1;
      if (d > Integer.MAX_VALUE) return Long.MAX_VALUE; // p * d could overflow a long
      p *= d;
      if (p > Integer.MAX_VALUE) return Long.MAX_VALUE;
    }
    return p;
  }

  static String show(long[] shape) {
    return java.util.Arrays.toString(shape);
  }

  static String abbreviate(String s) {
    return ModelStore.abbreviate(s);
  }

  private static String firstLine(String s) {
    if (s == null) return "unknown error";
    String one = s.replaceAll("\\s+", " ");
    int at = one.indexOf(" at [Source");
    if (at > 0) one = one.substring(0, at);
    return one.length() <= 160 ? one : one.substring(0, 157) + "...";
  }
}
