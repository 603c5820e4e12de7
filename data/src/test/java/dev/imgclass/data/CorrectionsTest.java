package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reviewed decisions become a corrected manifest; the images are never touched. */
class CorrectionsTest {
  static final String[] CLASSES = {"cat", "dog", "fox"};

  static Map<Path, Long> snapshot(Path dir) throws Exception {
    Map<Path, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList())
        m.put(p, Files.size(p) * 31 + Files.getLastModifiedTime(p).toMillis());
    }
    return m;
  }

  @Test
  void decisions_relabel_keep_and_exclude_and_training_data_reads_them(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 4);
    Map<Path, Long> before = snapshot(data);
    Path decisions = dir.resolve("decisions.csv");
    Files.writeString(
        decisions,
        "path,decision,label\n"
            + "cat/img 0.png,accept,dog\n"
            + "cat/img 1.JPG,relabel,fox\n"
            + "dog/img 2.png,keep,\n"
            + "fox/img 3.JPG,unclear,\n"
            + "fox/img 0.png,accept,fox\n");
    Path out = dir.resolve("reviewed/corrected.csv");
    Files.createDirectories(out.getParent());

    Corrections.Result r = Corrections.apply(data.toString(), decisions, out);

    assertThat(r.images()).isEqualTo(12);
    assertThat(r.corrected()).isEqualTo(2);
    assertThat(r.excluded()).isEqualTo(1);
    assertThat(r.kept()).isEqualTo(2); // keep, and an accept that names the label it has
    List<String> rows = Files.readAllLines(out);
    assertThat(rows.get(0)).isEqualTo("path,label,split,label_source");
    assertThat(rows).contains("../photos/cat/img 0.png,dog,train,corrected");
    assertThat(rows).contains("../photos/cat/img 1.JPG,fox,train,corrected");
    assertThat(rows).contains("../photos/fox/img 3.JPG,fox,train,excluded");
    assertThat(rows).contains("../photos/dog/img 2.png,dog,train,original");
    assertThat(snapshot(data)).isEqualTo(before);

    DataSplits corrected = DataSources.open(out.toString());
    Dataset train = corrected.train();
    assertThat(train.size()).isEqualTo(11); // the unclear image is left out
    assertThat(train.classCounts()).containsExactly(2, 5, 4);
  }

  @Test
  void a_label_issues_file_accepts_every_suggestion(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 2);
    Path issues = dir.resolve("label_issues.csv");
    Files.writeString(
        issues,
        "rank,path,index,given_label,suggested_label,given_prob,suggested_prob\n"
            + "1,dog/img 1.JPG,3,dog,cat,0.01,0.95\n");
    Corrections.Result r = Corrections.apply(data.toString(), issues, dir.resolve("c.csv"));
    assertThat(r.corrected()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("c.csv")))
        .contains("photos/dog/img 1.JPG,cat,train,corrected");
  }

  @Test
  void a_label_issues_file_is_decided_by_the_suggestions_probability(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 2);
    Path issues = dir.resolve("label_issues.csv");
    Files.writeString(
        issues,
        "rank,path,index,given_label,suggested_label,given_prob,suggested_prob\n"
            + "1,dog/img 1.JPG,3,dog,cat,0.01,0.95\n"
            + "2,cat/img 0.png,0,cat,fox,0.10,0.49\n"
            + "3,fox/img 0.png,4,fox,dog,0.20,0.50\n");
    // at 0.5: two accepted (0.5 included), the third kept
    Corrections.Result kept =
        Corrections.apply(
            data.toString(), issues, dir.resolve("k.csv"), new Corrections.Auto(0.5, false));
    assertThat(kept.corrected()).isEqualTo(2);
    assertThat(kept.kept()).isEqualTo(1);
    assertThat(kept.excluded()).isZero();
    assertThat(Files.readAllLines(dir.resolve("k.csv")))
        .contains("photos/cat/img 0.png,cat,train,original")
        .contains("photos/fox/img 0.png,dog,train,corrected");
    // ... or the third left out of training
    Corrections.Result out =
        Corrections.apply(
            data.toString(), issues, dir.resolve("x.csv"), new Corrections.Auto(0.5, true));
    assertThat(out.corrected()).isEqualTo(2);
    assertThat(out.excluded()).isEqualTo(1);
    assertThat(Files.readAllLines(dir.resolve("x.csv")))
        .contains("photos/cat/img 0.png,cat,train,excluded");
    // an excluded image is not in the training data any more
    assertThat(DataSources.open(dir.resolve("x.csv").toString()).train().size())
        .isEqualTo(out.images() - 1);
    assertThatThrownBy(() -> new Corrections.Auto(1.5, false))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("--accept-above must be in [0, 1]");
    Path noProb = dir.resolve("np.csv");
    Files.writeString(noProb, "path,suggested_label\ndog/img 1.JPG,cat\n");
    assertThatThrownBy(
            () ->
                Corrections.apply(
                    data.toString(), noProb, dir.resolve("y.csv"), new Corrections.Auto(0.5, true)))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("needs a suggested_prob column");
  }

  @Test
  void bad_decisions_are_refused_with_the_line_named(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 2);
    Path d = dir.resolve("d.csv");
    Path out = dir.resolve("out.csv");

    Files.writeString(d, "path,decision,label\ncat/nope.png,accept,dog\nwolf/x.png,keep,\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("names 2 image(s) that are not in")
        .hasMessageContaining("cat/nope.png");
    Files.writeString(d, "path,decision,label\ncat/img 0.png,maybe,dog\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .hasMessageContaining("line 2: decision 'maybe' is not accept, keep, relabel or unclear");
    Files.writeString(d, "path,decision,label\ncat/img 0.png,relabel,wolf\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .hasMessageContaining("label 'wolf' is not one of the data's classes (cat, dog, fox)");
    Files.writeString(d, "path,decision,label\ncat/img 0.png,relabel,\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .hasMessageContaining("relabel needs a label");
    Files.writeString(d, "path,decision\ncat/img 0.png,keep\ncat/img 0.png,unclear\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .hasMessageContaining("a second decision for cat/img 0.png");
    Files.writeString(d, "file,label\ncat/img 0.png,dog\n");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), d, out))
        .hasMessageContaining("decisions need a path column");
    assertThatThrownBy(() -> Corrections.apply(data.toString(), dir.resolve("none.csv"), out))
        .hasMessageContaining("decisions file not found");
    assertThat(out).doesNotExist();
  }

  @Test
  void idx_data_and_overwriting_the_input_manifest_are_refused(@TempDir Path dir) throws Exception {
    Path d = dir.resolve("d.csv");
    Files.writeString(d, "path,decision\n");
    assertThatThrownBy(() -> Corrections.apply("synthetic:20", d, dir.resolve("o.csv")))
        .hasMessageContaining("needs image files");
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 2);
    Path manifest = dir.resolve("m.csv");
    Files.writeString(manifest, "path,label\nphotos/cat/img 0.png,cat\nphotos/dog/img 0.png,dog\n");
    byte[] before = Files.readAllBytes(manifest);
    assertThatThrownBy(() -> Corrections.apply(manifest.toString(), d, manifest))
        .hasMessageContaining("is the data's own manifest");
    assertThat(Files.readAllBytes(manifest)).isEqualTo(before);
  }

  @Test
  void a_manifest_header_names_its_columns_and_extra_ones_are_ignored(@TempDir Path dir)
      throws Exception {
    Path data = dir.resolve("photos");
    FolderData.write(data, CLASSES, 2);
    Path m = dir.resolve("m.csv");
    Files.writeString(
        m,
        "path,round1,label,label_source,split\n"
            + "photos/cat/img 0.png,dog,cat,original,train\n"
            + "photos/dog/img 0.png,dog,dog,corrected,\n"
            + "photos/fox/img 0.png,fox,fox,excluded,train\n"
            + "photos/dog/img 1.JPG,dog,dog,original,test\n");
    DataSplits s = DataSources.open(m.toString());
    assertThat(s.train().size()).isEqualTo(2);
    assertThat(s.train().classes()).containsExactly("cat", "dog");
    assertThat(s.test()).isPresent();
    Files.writeString(m, "path,label,split\nphotos/cat/img 0.png,cat\n");
    assertThatThrownBy(() -> DataSources.open(m.toString()))
        .hasMessageContaining("line 2: expected 3 fields as in the header, found 2");
  }
}
