package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void tensors_and_metadata_survive_a_round_trip_in_order() {
    Map<String, TensorData> t = new LinkedHashMap<>();
    t.put("b.weight", TensorData.ofFloats(new float[] {1, -2.5f, 3, 4, 5, 6}, 2, 3));
    t.put("a.num", TensorData.ofLongs(new long[] {7}, 1));
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, t, Map.of("format", "pt"));
    Safetensors.Contents c = Safetensors.read(f);
    assertThat(c.tensors().keySet()).containsExactly("b.weight", "a.num");
    assertThat(c.tensors().get("b.weight").toFloats()).containsExactly(1, -2.5f, 3, 4, 5, 6);
    assertThat(c.tensors().get("b.weight").shape()).containsExactly(2, 3);
    assertThat(c.tensors().get("a.num").toLongs()).containsExactly(7);
    assertThat(c.metadata()).containsEntry("format", "pt");
  }

  @Test
  void metadata_reads_the_header_alone_and_refuses_a_broken_one() throws Exception {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(
        f, Map.of("w", TensorData.ofFloats(new float[] {1f, 2f}, 2)), Map.of("k", "v"));
    assertThat(Safetensors.metadata(f)).containsExactly(Map.entry("k", "v"));
    Files.write(f, Arrays.copyOf(Files.readAllBytes(f), 12)); // header cut short
    assertThatThrownBy(() -> Safetensors.metadata(f))
        .hasMessageContaining("does not fit a file of 12 bytes");
    assertThatThrownBy(() -> Safetensors.metadata(dir.resolve("none.safetensors")))
        .hasMessageContaining("weights file not found");
  }

  @Test
  void data_starts_eight_byte_aligned_as_the_format_recommends() throws Exception {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("x", TensorData.ofFloats(new float[] {1}, 1)), Map.of());
    long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
  }

  @Test
  void a_file_written_by_hand_in_the_reference_layout_reads() throws Exception {
    // header as the reference implementation writes it: no metadata, offsets relative to data start
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
    ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length())
        .put(header.getBytes(StandardCharsets.UTF_8))
        .putFloat(0.5f)
        .putFloat(-1f);
    Path f = dir.resolve("ref.safetensors");
    Files.write(f, b.array());
    assertThat(Safetensors.read(f).tensors().get("w").toFloats()).containsExactly(0.5f, -1f);
  }

  @Test
  void a_truncated_file_is_refused_with_a_clear_message() throws Exception {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("x", TensorData.ofFloats(new float[100], 100)), Map.of());
    byte[] all = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(all, all.length - 10));
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("corrupt safetensors")
        .hasMessageContaining("truncated");
  }

  @Test
  void random_bytes_are_refused_not_loaded() throws Exception {
    Path f = dir.resolve("junk.safetensors");
    byte[] junk = new byte[64];
    new java.util.Random(3).nextBytes(junk);
    Files.write(f, junk);
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("corrupt safetensors");
  }

  @Test
  void a_header_that_is_not_json_is_refused() throws Exception {
    ByteBuffer b = ByteBuffer.allocate(8 + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(4).put("{{{{".getBytes(StandardCharsets.UTF_8));
    Path f = dir.resolve("bad.safetensors");
    Files.write(f, b.array());
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("not valid JSON");
  }

  @Test
  void a_shape_that_disagrees_with_the_byte_count_is_refused() throws Exception {
    String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
    ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8));
    Path f = dir.resolve("shape.safetensors");
    Files.write(f, b.array());
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("needs 12 bytes, got 8");
  }

  @Test
  void written_files_are_readable_by_other_users() throws Exception {
    Path f = dir.resolve("w.safetensors");
    Safetensors.write(f, Map.of("x", TensorData.ofFloats(new float[] {1}, 1)), Map.of());
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void a_missing_file_says_so() {
    assertThatThrownBy(() -> Safetensors.read(dir.resolve("nope.safetensors")))
        .hasMessageContaining("not found");
  }

  /** A file whose header is {@code header} followed by {@code dataBytes} zero bytes. */
  private Path handWritten(String header, int dataBytes) throws Exception {
    ByteBuffer b =
        ByteBuffer.allocate(8 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(header.length()).put(header.getBytes(StandardCharsets.UTF_8));
    Path f = dir.resolve("hand.safetensors");
    Files.write(f, b.array());
    return f;
  }

  @Test
  void a_header_with_overlapping_offsets_is_refused_naming_both_tensors() throws Exception {
    Path f =
        handWritten(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
            12);
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("corrupt safetensors")
        .hasMessageContaining("tensors 'a' (bytes 0..8) and 'b' (bytes 4..12) overlap")
        .hasMessageNotContaining("\n");
  }

  @Test
  void a_header_with_offsets_past_the_end_of_the_data_is_refused() throws Exception {
    Path f = handWritten("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 16);
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("tensor 'w' lies outside the data (8..24 of 16 bytes)");
  }

  @Test
  void a_header_with_negative_or_reversed_offsets_is_refused() throws Exception {
    Path f = handWritten("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", 16);
    assertThatThrownBy(() -> Safetensors.read(f)).hasMessageContaining("lies outside the data");
  }

  @Test
  void a_header_naming_a_tensor_twice_is_refused() throws Exception {
    Path f =
        handWritten(
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            8);
    assertThatThrownBy(() -> Safetensors.read(f))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("names a tensor twice")
        .hasMessageNotContaining("\n");
  }

  @Test
  void f16_and_bf16_values_convert_to_f32_exactly() {
    // F16: 1, -2, 65504 (largest), 2^-24 (smallest subnormal), 2^-14 (smallest normal), +inf
    short[] f16 = {0x3c00, (short) 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00};
    assertThat(halves("F16", f16).toFloats())
        .containsExactly(1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, Float.POSITIVE_INFINITY);
    // BF16: the top half of an F32: 1, -2, 3.140625, NaN
    short[] bf16 = {0x3f80, (short) 0xc000, 0x4049, 0x7fc0};
    float[] v = halves("BF16", bf16).toFloats();
    assertThat(v).startsWith(1f, -2f, 3.140625f);
    assertThat(v[3]).isNaN();
    assertThat(halves("BF16", bf16).nonFinite()).isEqualTo(1);
  }

  private static TensorData halves(String dtype, short[] bits) {
    ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (short s : bits) b.putShort(s);
    return new TensorData(dtype, new long[] {bits.length}, b.array());
  }
}
