package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  private byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private long filesIn(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.count();
    }
  }

  @Test
  void a_write_replaces_an_existing_file_whole() throws Exception {
    Path f = dir.resolve("a.txt");
    Files.writeString(f, "an old and much longer content");
    AtomicFiles.write(f, utf8("new"));
    assertThat(f).hasContent("new");
    assertThat(filesIn(dir)).isEqualTo(1);
  }

  @Test
  void buffers_are_written_in_order_and_left_unconsumed() {
    Path f = dir.resolve("b.bin");
    ByteBuffer first = ByteBuffer.wrap(utf8("ab"));
    AtomicFiles.write(f, new ByteBuffer[] {first, ByteBuffer.wrap(utf8("cd"))});
    assertThat(f).hasContent("abcd");
    assertThat(first.remaining()).isEqualTo(2);
  }

  @Test
  void missing_folders_are_created() {
    Path f = dir.resolve("x/y/z.txt");
    AtomicFiles.write(f, utf8("z"));
    assertThat(f).hasContent("z");
  }

  @Test
  void written_files_are_readable_by_everyone_and_writable_by_the_owner() throws Exception {
    Path f = dir.resolve("model.json");
    AtomicFiles.write(f, utf8("{}"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
        .isEqualTo("rw-r--r--");
  }

  @Test
  void a_write_that_fails_midway_leaves_the_old_file_intact_and_no_temp_file() throws Exception {
    Path f = dir.resolve("metrics.csv");
    Files.writeString(f, "old rows\n");
    assertThatThrownBy(
            () ->
                AtomicFiles.write(
                    f,
                    out -> {
                      out.write(utf8("half of the new rows"));
                      throw new IOException("disk full");
                    }))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("cannot write " + f)
        .hasMessageContaining("disk full");
    assertThat(f).hasContent("old rows");
    assertThat(filesIn(dir)).isEqualTo(1);
  }

  @Test
  void a_rename_that_fails_leaves_no_temp_file() throws Exception {
    Path target = dir.resolve("busy");
    Files.createDirectories(target.resolve("inside")); // a non-empty folder cannot be replaced
    assertThatThrownBy(() -> AtomicFiles.write(target, utf8("x")))
        .isInstanceOf(ImgclassException.class);
    assertThat(target.resolve("inside")).isDirectory();
    assertThat(filesIn(dir)).isEqualTo(1);
  }

  @Test
  void streamed_content_is_written_whole() {
    Path f = dir.resolve("s.txt");
    AtomicFiles.write(f, out -> out.write(utf8("streamed")));
    assertThat(f).hasContent("streamed");
  }
}
