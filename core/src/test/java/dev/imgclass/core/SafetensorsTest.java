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
}
