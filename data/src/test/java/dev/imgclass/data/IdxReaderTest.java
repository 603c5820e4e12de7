package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  @TempDir Path dir;

  /** Writes IDX image and label files for {@code n} 4x3 images; returns the folder. */
  static Path writeIdx(Path dir, int n, boolean gzip, int magicImages) throws Exception {
    ByteBuffer img =
        ByteBuffer.allocate(16 + n * 12).putInt(magicImages).putInt(n).putInt(4).putInt(3);
    for (int i = 0; i < n * 12; i++) img.put((byte) (i % 251));
    ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) lab.put((byte) (i % 3));
    write(dir.resolve("train-images-idx3-ubyte" + (gzip ? ".gz" : "")), img.array(), gzip);
    write(dir.resolve("train-labels-idx1-ubyte" + (gzip ? ".gz" : "")), lab.array(), gzip);
    return dir;
  }

  static void write(Path p, byte[] data, boolean gzip) throws Exception {
    try (OutputStream out =
        gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
      out.write(data);
    }
  }

  @Test
  void plain_and_gzipped_files_read_to_the_same_images() throws Exception {
    Path plain = Files.createDirectory(dir.resolve("plain"));
    Path gz = Files.createDirectory(dir.resolve("gz"));
    Dataset a = DataSources.readIdxDir(writeIdx(plain, 6, false, 0x803)).train();
    Dataset b = DataSources.readIdxDir(writeIdx(gz, 6, true, 0x803)).train();
    assertThat(a.size()).isEqualTo(6);
    assertThat(a.height()).isEqualTo(4);
    assertThat(a.width()).isEqualTo(3);
    assertThat(a.image(1).data()).containsExactly(b.image(1).data());
    assertThat(a.label(4)).isEqualTo(1);
    assertThat(a.fingerprint()).isEqualTo(b.fingerprint());
  }

  @Test
  void a_wrong_magic_number_is_refused_naming_both_numbers() throws Exception {
    writeIdx(dir, 2, false, 0x801);
    assertThatThrownBy(() -> DataSources.readIdxDir(dir))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("wrong IDX magic number 0x00000801")
        .hasMessageContaining("expected 0x00000803");
  }

  @Test
  void a_truncated_file_is_refused_with_the_byte_counts() throws Exception {
    writeIdx(dir, 5, false, 0x803);
    Path f = dir.resolve("train-images-idx3-ubyte");
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length - 7));
    assertThatThrownBy(() -> DataSources.readIdxDir(dir))
        .hasMessageContaining("truncated")
        .hasMessageContaining("promises 60 bytes");
  }

  @Test
  void a_truncated_gzip_stream_is_refused() throws Exception {
    writeIdx(dir, 50, true, 0x803);
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    byte[] all = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(all, all.length / 2));
    assertThatThrownBy(() -> DataSources.readIdxDir(dir)).hasMessageContaining("truncated");
  }

  @Test
  void a_missing_data_folder_says_what_it_expected() {
    assertThatThrownBy(() -> DataSources.open(dir.resolve("nothing-here").toString()))
        .hasMessageContaining("data not found");
  }

  @Test
  void stratified_split_keeps_class_proportions_and_is_seeded() {
    Dataset d = SyntheticData.generate(1000, 10, 8, 1);
    Splits.TrainVal a = Splits.stratified(d, 0.1, 3);
    Splits.TrainVal b = Splits.stratified(d, 0.1, 3);
    assertThat(a.val().size()).isEqualTo(100);
    assertThat(a.val().classCounts()).containsOnly(10);
    assertThat(a.val().fingerprint()).isEqualTo(b.val().fingerprint());
  }
}
