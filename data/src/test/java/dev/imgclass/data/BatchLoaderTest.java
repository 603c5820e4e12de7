package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.core.ModelSpec;
import dev.imgclass.core.Preprocessor;
import dev.imgclass.data.augment.Augmentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLoaderTest {
  @TempDir Path dir;

  private static Dataset imbalanced() {
    // 900 images of class 0, 90 of class 1, 10 of class 2
    int n = 1000;
    byte[] px = new byte[n * 64];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i < 900 ? 0 : i < 990 ? 1 : 2;
      px[i * 64] = (byte) i;
    }
    return new InMemoryDataset(List.of("a", "b", "c"), 1, 8, 8, px, labels);
  }

  private static Preprocessor pre(Dataset d) {
    return new Preprocessor(
        new ModelSpec(
            "resnet20", d.classes(), d.channels(), d.height(), List.of(0.5), List.of(0.25)));
  }

  @Test
  void balanced_sampler_draws_classes_equally_often_and_is_seeded() {
    Dataset d = imbalanced();
    BatchLoader l =
        new BatchLoader(
            d, pre(d), Augmentation.parse("none"), null, 100, 7, true, true, 0, new DataIssues());
    int[] order = l.order(3);
    int[] perClass = new int[3];
    for (int i : order) perClass[d.label(i)]++;
    assertThat(order).hasSize(1000);
    for (int c : perClass) assertThat(c).isBetween(280, 390);
    assertThat(l.order(3)).isEqualTo(order);
    assertThat(l.order(4)).isNotEqualTo(order);
  }

  @Test
  void worker_pool_builds_the_same_batches_as_the_caller_thread() {
    Dataset d = imbalanced();
    Augmentation aug = Augmentation.parse("standard");
    try (BatchLoader sync =
            new BatchLoader(d, pre(d), aug, null, 64, 11, true, false, 0, new DataIssues());
        BatchLoader pool =
            new BatchLoader(d, pre(d), aug, null, 64, 11, true, false, 3, new DataIssues())) {
      int[] order = sync.order(1);
      Iterator<Batch> a = sync.epoch(order, 1, 2);
      Iterator<Batch> b = pool.epoch(order, 1, 2);
      int count = 0;
      while (a.hasNext()) {
        Batch x = a.next();
        Batch y = b.next();
        assertThat(y.inputs()).isEqualTo(x.inputs());
        assertThat(y.labels()).isEqualTo(x.labels());
        assertThat(y.seed()).isEqualTo(x.seed());
        count++;
      }
      assertThat(b.hasNext()).isFalse();
      assertThat(count).isEqualTo(sync.batchesPerEpoch() - 2);
    }
  }

  @Test
  void a_file_that_breaks_during_training_is_replaced_and_recorded() throws Exception {
    FolderData.write(dir, new String[] {"a", "b"}, 8);
    Dataset d = DataSources.open(dir.toString(), new DataSources.Load(1, 8, 1_000_000)).train();
    Files.write(dir.resolve("a/img 2.png"), new byte[] {1, 2, 3}); // breaks after the scan
    DataIssues issues = new DataIssues();
    try (BatchLoader l =
        new BatchLoader(
            d, pre(d), Augmentation.parse("none"), null, 4, 1, false, false, 2, issues)) {
      List<Batch> all = new ArrayList<>();
      int[] order = l.order(0);
      l.epoch(order, 0, 0).forEachRemaining(all::add);
      assertThat(all.stream().mapToInt(Batch::size).sum()).isEqualTo(16);
      // each row names the image it holds: the order's, or the substitute for the broken file
      int broken = -1;
      for (int i = 0; i < d.size(); i++) if (d.name(i).equals("a/img 2.png")) broken = i;
      for (int b = 0; b < all.size(); b++) {
        for (int j = 0; j < all.get(b).size(); j++) {
          int at = b * 4 + j;
          int want = order[at] == broken ? order[(at + 1) % order.length] : order[at];
          assertThat(all.get(b).indices()[j]).isEqualTo(want);
          assertThat(all.get(b).labels()[j]).isEqualTo(d.label(want));
        }
      }
    }
    assertThat(issues.badFiles()).extracting(DataIssues.Issue::file).containsExactly("a/img 2.png");
  }
}
