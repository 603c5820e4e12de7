package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path dir;

  @Test
  void classes_are_sorted_folders_and_rules_skip_and_count() throws Exception {
    FolderData.write(dir, new String[] {"zebra", "Äpfel mit Soße", "cat"}, 3);
    Files.writeString(dir.resolve("cat/.DS_Store"), "x");
    Files.createDirectories(dir.resolve("cat/.thumbs"));
    Files.writeString(dir.resolve("cat/.thumbs/a.png"), "x");
    Files.writeString(dir.resolve("cat/notes.txt"), "x");
    Files.createDirectories(dir.resolve(".git"));
    Files.createDirectories(dir.resolve("zebra/nested/deeper"));
    Files.copy(dir.resolve("zebra/img 0.png"), dir.resolve("zebra/nested/deeper/UPPER.PNG"));
    DataIssues issues = new DataIssues();
    ImageFolder.Index idx = ImageFolder.scan(dir, issues);
    assertThat(idx.classes()).containsExactly("cat", "zebra", "Äpfel mit Soße");
    assertThat(idx.split("train")).hasSize(10);
    assertThat(idx.split("train").stream().filter(e -> e.name().endsWith("UPPER.PNG"))).hasSize(1);
    assertThat(issues.skipped()).containsEntry("hidden", 3).containsEntry("not-an-image", 1);
    assertThat(idx.splits()).containsOnlyKeys("train");
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void a_symlink_loop_is_skipped_and_counted_not_followed_for_ever() throws Exception {
    FolderData.write(dir, new String[] {"a", "b"}, 2);
    Files.createSymbolicLink(dir.resolve("a/loop"), dir.resolve("a"));
    DataIssues issues = new DataIssues();
    ImageFolder.Index idx = ImageFolder.scan(dir, issues);
    assertThat(idx.split("train")).hasSize(4);
    assertThat(issues.skipped()).containsEntry("symlink-loop", 1);
  }

  @Test
  void split_folders_give_train_val_test_and_refuse_unknown_classes() throws Exception {
    FolderData.write(dir.resolve("train"), new String[] {"a", "b"}, 3);
    FolderData.write(dir.resolve("Val"), new String[] {"a", "b"}, 1);
    FolderData.write(dir.resolve("test"), new String[] {"b"}, 2);
    ImageFolder.Index idx = ImageFolder.scan(dir, new DataIssues());
    assertThat(idx.classes()).containsExactly("a", "b");
    assertThat(idx.split("train")).hasSize(6);
    assertThat(idx.split("val")).hasSize(2);
    assertThat(idx.split("test")).hasSize(2).allMatch(e -> e.label() == 1);

    FolderData.write(dir.resolve("test"), new String[] {"c"}, 1);
    assertThatThrownBy(() -> ImageFolder.scan(dir, new DataIssues()))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("class folders that")
        .hasMessageContaining("c");
  }

  @Test
  void empty_class_and_single_class_fail_fast_with_the_reason() throws Exception {
    Path two = dir.resolve("two");
    FolderData.write(two, new String[] {"a", "b"}, 1);
    Files.createDirectories(two.resolve("empty"));
    Files.writeString(two.resolve("empty/readme.txt"), "x");
    assertThatThrownBy(() -> ImageFolder.scan(two, new DataIssues()))
        .hasMessageContaining("class folder 'empty'")
        .hasMessageContaining("has no images");

    Path one = Files.createDirectories(dir.resolve("one"));
    FolderData.write(one, new String[] {"only"}, 2);
    assertThatThrownBy(() -> ImageFolder.scan(one, new DataIssues()))
        .hasMessageContaining("only one class folder (only)")
        .hasMessageContaining("at least two classes");
  }

  @Test
  void split_folders_without_train_are_refused() throws Exception {
    FolderData.write(dir.resolve("val"), new String[] {"a", "b"}, 1);
    assertThatThrownBy(() -> ImageFolder.scan(dir, new DataIssues()))
        .hasMessageContaining("no train/ folder");
  }

  @Test
  void csv_manifest_reads_relative_quoted_paths_splits_and_counts_missing_files() throws Exception {
    FolderData.write(dir, new String[] {"x", "y"}, 2);
    Files.writeString(
        dir.resolve("m.csv"),
        "path,label,split\n"
            + "x/img 0.png,cat,train\n"
            + "\"y/img 1.JPG\",\"dog, big\",train\n"
            + "x/img 1.JPG,cat,test\n"
            + "gone.png,cat,train\n"
            + "\n"
            + "y/img 0.png,\"dog, big\",val\n");
    DataIssues issues = new DataIssues();
    ImageFolder.Index idx = CsvManifest.read(dir.resolve("m.csv"), issues);
    assertThat(idx.classes()).containsExactly("cat", "dog, big");
    assertThat(idx.split("train")).hasSize(2);
    assertThat(idx.split("test")).hasSize(1);
    assertThat(idx.split("val")).hasSize(1);
    assertThat(issues.badFiles()).extracting(DataIssues.Issue::kind).containsExactly("missing");
  }

  @Test
  void csv_manifest_errors_name_the_line() throws Exception {
    Files.writeString(dir.resolve("a.csv"), "a.png,cat\nb.png\n");
    assertThatThrownBy(() -> CsvManifest.read(dir.resolve("a.csv"), new DataIssues()))
        .hasMessageContaining("line 2")
        .hasMessageContaining("path,label");
    Files.writeString(dir.resolve("b.csv"), "a.png,cat,holdout\n");
    assertThatThrownBy(() -> CsvManifest.read(dir.resolve("b.csv"), new DataIssues()))
        .hasMessageContaining("split 'holdout'");
    Files.writeString(dir.resolve("c.csv"), "a.png,cat\n");
    assertThatThrownBy(() -> CsvManifest.read(dir.resolve("c.csv"), new DataIssues()))
        .hasMessageContaining("at least two");
  }

  @Test
  void file_dataset_decodes_caches_in_parallel_and_lists_bad_files() throws Exception {
    FolderData.write(dir, new String[] {"a", "b"}, 6);
    Files.write(dir.resolve("a/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Files.write(dir.resolve("b/empty.jpg"), new byte[0]);
    DataSplits s = DataSources.open(dir.toString(), new DataSources.Load(3, 12, 1_000_000));
    assertThat(s.train()).isInstanceOf(FileDataset.class);
    assertThat(s.train().size()).isEqualTo(14);
    DataIssues issues = new DataIssues();
    InMemoryDataset one = ((FileDataset) s.train()).cache(1, issues);
    InMemoryDataset four = ((FileDataset) s.train()).cache(4, new DataIssues());
    assertThat(one.size()).isEqualTo(12);
    assertThat(one.fingerprint()).isEqualTo(four.fingerprint());
    assertThat(one.channels()).isEqualTo(3);
    assertThat(one.height()).isEqualTo(12);
    assertThat(issues.badFiles())
        .extracting(DataIssues.Issue::file)
        .containsExactlyInAnyOrder("a/broken.png", "b/empty.jpg");
    assertThat(List.of(one.classCounts()[0], one.classCounts()[1])).containsExactly(6, 6);
  }
}
