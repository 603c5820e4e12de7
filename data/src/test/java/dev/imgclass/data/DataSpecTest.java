package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataSpecTest {
  @TempDir Path dir;

  @Test
  void a_folder_named_synthetic_photos_with_class_folders_is_read_as_an_image_folder()
      throws Exception {
    // relative, as a user types it: the name itself must start with "synthetic"
    Path photos = Path.of("synthetic-photos-" + ProcessHandle.current().pid());
    try {
      FolderData.write(photos, new String[] {"cat", "dog"}, 4);
      String arg = photos + "/";
      assertThat(DataSpec.parse(arg)).isEqualTo(new DataSpec.ImageFolder(Path.of(arg)));
      DataSplits s = DataSources.open(arg);
      assertThat(s.train()).isInstanceOf(FileDataset.class);
      assertThat(s.train().classes()).containsExactly("cat", "dog");
      assertThat(s.train().size()).isEqualTo(8);
    } finally {
      deleteTree(photos);
    }
  }

  private static void deleteTree(Path root) throws Exception {
    if (!Files.exists(root)) return;
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  @Test
  void generated_data_is_synthetic_alone_or_with_a_colon_and_its_counts() {
    assertThat(DataSpec.parse("synthetic")).isEqualTo(new DataSpec.Synthetic(2000, 10));
    assertThat(DataSpec.parse("synthetic:600")).isEqualTo(new DataSpec.Synthetic(600, 10));
    assertThat(DataSpec.parse(" Synthetic:300:3 ")).isEqualTo(new DataSpec.Synthetic(300, 3));
    assertThat(DataSpec.parse("fashion-mnist")).isEqualTo(new DataSpec.FashionMnist());
  }

  @Test
  void a_missing_folder_that_starts_with_synthetic_is_one_error_listing_the_accepted_forms() {
    for (String bad : new String[] {"synthetic-photos", "synthetic600", "synthetic:x"}) {
      assertThatThrownBy(() -> DataSpec.parse(bad))
          .isInstanceOf(ImgclassException.class)
          .hasMessageContaining("bad data '" + bad + "'")
          .hasMessageContaining("an image folder (one sub-folder per class")
          .hasMessageContaining("synthetic:N[:CLASSES]");
    }
  }

  @Test
  void an_existing_path_wins_over_the_synthetic_form() throws Exception {
    Path cwdLike = Files.createDirectories(dir.resolve("synthetic:5"));
    FolderData.write(cwdLike, new String[] {"a", "b"}, 2);
    assertThat(DataSpec.parse(cwdLike.toString())).isInstanceOf(DataSpec.ImageFolder.class);
  }

  @Test
  void specs_name_the_same_data_through_different_spellings_of_a_path() throws Exception {
    Path photos = dir.resolve("photos");
    FolderData.write(photos, new String[] {"cat", "dog"}, 1);
    DataSpec a = DataSpec.parse(photos.toString());
    DataSpec b = DataSpec.parse(photos.resolve("cat").resolve("..").toString());
    assertThat(a.sameData(b)).isTrue();
    assertThat(a.sameData(DataSpec.parse("synthetic:600"))).isFalse();
    assertThat(a.slug()).isEqualTo("photos");
    assertThat(DataSpec.parse("synthetic:600").slug()).isEqualTo("synthetic-600");
    assertThat(DataSpec.parse("synthetic:300:3").slug()).isEqualTo("synthetic-300-3");
  }
}
