package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {
  @TempDir Path dir;

  @Test
  void add_copies_in_numbered_immutable_versions_with_their_checksums() throws Exception {
    ModelStore s = ModelStore.openOrCreate(dir.resolve("store"));
    Path src = TinyModels.write(dir.resolve("a.onnx"), 0f);
    VersionManifest v1 = s.add("tiny", src);
    VersionManifest v2 = s.add("tiny", TinyModels.write(dir.resolve("b.onnx"), 0.5f));
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.version()).isEqualTo(2);
    assertThat(s.versions("tiny")).containsExactly(1, 2);
    assertThat(s.latest("tiny")).contains(2);
    assertThat(s.names()).containsExactly("tiny");
    assertThat(v1.sha256()).isEqualTo(ModelStore.sha256(src)).isNotEqualTo(v2.sha256());
    assertThat(v1.classes()).containsExactly("bright", "dark", "other");
    Path file = s.verifiedModel("tiny", 1);
    assertThat(file).startsWith(s.root());
    assertThat(Files.getPosixFilePermissions(file))
        .as("versions are read-only")
        .doesNotContain(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    assertThat(s.manifest("tiny", 2).bytes()).isEqualTo(Files.size(s.verifiedModel("tiny", 2)));
    try (var listing = Files.list(s.root().resolve("tiny"))) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .as("no temporary folder left")
          .containsExactlyInAnyOrder("1", "2");
    }
  }

  @Test
  void a_file_changed_after_it_was_added_is_refused() throws Exception {
    ModelStore s = ModelStore.openOrCreate(dir.resolve("store"));
    s.add("tiny", TinyModels.write(dir.resolve("a.onnx"), 0f));
    Path f = s.root().resolve("tiny/1/model.onnx");
    f.toFile().setWritable(true);
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 1;
    Files.write(f, b, StandardOpenOption.TRUNCATE_EXISTING);
    assertThatThrownBy(() -> s.verifiedModel("tiny", 1))
        .hasMessageContaining("does not match its manifest");
  }

  @Test
  void links_out_of_the_store_are_never_followed() throws Exception {
    ModelStore s = ModelStore.openOrCreate(dir.resolve("store"));
    s.add("tiny", TinyModels.write(dir.resolve("a.onnx"), 0f));
    // a version folder that is a link to elsewhere is not a version
    Path outside = Files.createDirectories(dir.resolve("outside/7"));
    Files.copy(s.root().resolve("tiny/1/manifest.json"), outside.resolve("manifest.json"));
    Files.createSymbolicLink(s.root().resolve("tiny/7"), outside);
    assertThat(s.versions("tiny")).containsExactly(1);
    // a model file replaced by a link is refused even with a matching manifest
    Path f = s.root().resolve("tiny/1/model.onnx");
    Path real = dir.resolve("elsewhere.onnx");
    Files.copy(f, real);
    f.toFile().setWritable(true);
    s.root().resolve("tiny/1").toFile().setWritable(true);
    Files.delete(f);
    Files.createSymbolicLink(f, real);
    assertThatThrownBy(() -> s.verifiedModel("tiny", 1)).hasMessageContaining("not a plain file");
    // a model folder that is a link is not listed
    Files.createSymbolicLink(s.root().resolve("linked"), s.root().resolve("tiny"));
    assertThat(s.names()).containsExactly("tiny");
  }

  @Test
  void bad_names_files_and_configs_are_refused_with_one_line() throws Exception {
    ModelStore s = ModelStore.openOrCreate(dir.resolve("store"));
    Path ok = TinyModels.write(dir.resolve("a.onnx"), 0f);
    for (String bad :
        new String[] {"../x", "Tiny", "a b", "", ".hidden", "-x", "a/b", "x".repeat(200)})
      assertThatThrownBy(() -> s.add(bad, ok))
          .isInstanceOf(ImgclassException.class)
          .hasMessageContaining("invalid model name");
    Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3});
    assertThatThrownBy(() -> s.add("tiny", junk)).hasMessageContaining("cannot load ONNX model");
    assertThatThrownBy(() -> s.add("tiny", dir.resolve("missing.onnx")))
        .hasMessageContaining("not found");
    assertThat(s.versions("tiny")).isEmpty();
    for (String v : new String[] {"0", "-1", "abc", "01", "1.5", ""})
      assertThatThrownBy(() -> ModelStore.parseVersion(v))
          .hasMessageContaining("invalid model version");
    s.add("tiny", ok);
    Files.writeString(s.root().resolve("tiny/config.json"), "{\"max_batch_size\": 0}");
    assertThatThrownBy(() -> s.config("tiny"))
        .hasMessageContaining("max_batch_size must be in 1..4096");
    Files.writeString(s.root().resolve("tiny/config.json"), "{\"version_policy\": \"pinned\"}");
    assertThatThrownBy(() -> s.config("tiny")).hasMessageContaining("needs a default_version");
    Files.writeString(s.root().resolve("tiny/config.json"), "{\"max_batch_sise\": 4}");
    assertThatThrownBy(() -> s.config("tiny")).hasMessageContaining("max_batch_sise");
    Files.writeString(
        s.root().resolve("tiny/config.json"),
        "{\"version_policy\": \"pinned\", \"default_version\": 1, \"max_batch_size\": 4}");
    assertThat(s.config("tiny").pinnedVersion()).contains(1);
    assertThat(s.config("tiny").maxBatchSize()).isEqualTo(4);
    assertThatThrownBy(() -> ModelStore.open(dir.resolve("nope")))
        .hasMessageContaining("model store not found");
  }
}
