package dev.imgclass.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.imgclass.core.ImgclassException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgreementTest {
  @TempDir Path dir;

  /** Wikipedia's "Fleiss' kappa" worked example: 10 items, 14 raters, 5 categories. */
  static final long[][] WIKIPEDIA = {
    {0, 0, 0, 0, 14},
    {0, 2, 6, 4, 2},
    {0, 0, 3, 5, 6},
    {0, 3, 9, 2, 0},
    {2, 2, 8, 1, 1},
    {7, 7, 0, 0, 0},
    {3, 2, 6, 3, 0},
    {2, 5, 3, 2, 2},
    {6, 5, 2, 1, 0},
    {0, 2, 2, 3, 7}
  };

  /** Three annotators, six items: two disputes (one a tie) and one item r2 left blank. */
  static LabelTable planted() {
    return new LabelTable(
        "path",
        List.of("r1", "r2", "r3"),
        List.of("a.png", "b.png", "c.png", "d.png", "e.png", "f.png"),
        List.of(
            List.of("cat", "cat", "cat"),
            List.of("cat", "cat", "dog"),
            List.of("dog", "dog", "dog"),
            List.of("dog", "cat", "bird"),
            List.of("bird", "bird", "bird"),
            List.of("cat", "", "cat")));
  }

  @Test
  void cohen_kappa_of_the_textbook_2x2_table_is_0_40() {
    // 50 items: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no
    Agreement.Kappa k = Agreement.cohen(new long[][] {{20, 5}, {10, 15}});
    assertThat(k.observed()).isCloseTo(0.70, within(1e-12));
    assertThat(k.chance()).isCloseTo(0.50, within(1e-12));
    assertThat(k.kappa()).isCloseTo(0.40, within(1e-12));
  }

  @Test
  void cohen_kappa_from_label_columns_matches_the_2x2_table() {
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) rows.add(List.of("yes", "yes"));
    for (int i = 0; i < 5; i++) rows.add(List.of("yes", "no"));
    for (int i = 0; i < 10; i++) rows.add(List.of("no", "yes"));
    for (int i = 0; i < 15; i++) rows.add(List.of("no", "no"));
    Agreement.Report r = Agreement.of(table(List.of("A", "B"), rows));
    Agreement.Pair p = r.pairs().get(0);
    assertThat(p.items()).isEqualTo(50);
    assertThat(p.agreement()).isCloseTo(0.70, within(1e-12));
    assertThat(p.kappa().kappa()).isCloseTo(0.40, within(1e-12));
    assertThat(r.overall()).isCloseTo(0.70, within(1e-12)); // two annotators: all agree = pair
  }

  @Test
  void fleiss_kappa_of_the_wikipedia_table_is_0_210() {
    Agreement.Kappa k = Agreement.fleiss(WIKIPEDIA);
    assertThat(k.observed()).isCloseTo(0.378, within(5e-4)); // P-bar
    assertThat(k.chance()).isCloseTo(0.213, within(5e-4)); // P-bar_e
    assertThat(k.kappa()).isCloseTo(0.20993, within(1e-5));
  }

  @Test
  void fleiss_kappa_from_label_columns_matches_the_count_table() {
    List<String> raters = IntStream.range(0, 14).mapToObj(i -> "r" + i).toList();
    List<List<String>> rows = new ArrayList<>();
    for (long[] counts : WIKIPEDIA) {
      List<String> row = new ArrayList<>();
      for (int c = 0; c < counts.length; c++)
        for (int n = 0; n < counts[c]; n++) row.add("category" + (c + 1));
      rows.add(row);
    }
    Agreement.Report r = Agreement.of(table(raters, rows));
    assertThat(r.fleiss().kappa()).isCloseTo(0.20993, within(1e-5));
    assertThat(r.pairs()).hasSize(14 * 13 / 2);
    assertThat(r.unanimous()).isEqualTo(1); // only the first item has all 14 raters agreeing
  }

  @Test
  void fleiss_refuses_items_with_unequal_numbers_of_ratings() {
    assertThatThrownBy(() -> Agreement.fleiss(new long[][] {{2, 1}, {1, 1}}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3 ratings");
  }

  @Test
  void planted_table_gives_hand_computed_pairs_fleiss_and_overall() {
    Agreement.Report r = Agreement.of(planted());
    assertThat(r.classes()).containsExactly("bird", "cat", "dog");
    // f.png has a blank: out of Fleiss and the overall agreement, in the r1 / r3 pair
    assertThat(r.complete()).isEqualTo(5);
    assertThat(r.incomplete()).isEqualTo(1);
    assertThat(r.unanimous()).isEqualTo(3);
    assertThat(r.overall()).isCloseTo(0.6, within(1e-12));
    assertThat(r.notes()).anyMatch(n -> n.startsWith("1 item(s) with a blank label"));
    // P-bar = (1 + 1/3 + 1 + 0 + 1) / 5 = 2/3; P_e = (6² + 5² + 4²) / 15² = 77/225
    assertThat(r.fleiss().kappa()).isCloseTo(73.0 / 148, within(1e-12));
    Agreement.Pair r1r2 = r.pairs().get(0);
    assertThat(r1r2.first() + "/" + r1r2.second()).isEqualTo("r1/r2");
    assertThat(r1r2.items()).isEqualTo(5);
    assertThat(r1r2.agreement()).isCloseTo(0.8, within(1e-12));
    // p_e = (2*3 + 2*1 + 1*1) / 25 = 0.36 -> (0.8 - 0.36) / 0.64
    assertThat(r1r2.kappa().kappa()).isCloseTo(0.6875, within(1e-12));
    assertThat(r.pairs().get(1).items()).isEqualTo(6);
    assertThat(r.pairs().get(1).agreement()).isCloseTo(4.0 / 6, within(1e-12));
    assertThat(r.pairs().get(2).agreement()).isCloseTo(0.6, within(1e-12));
  }

  @Test
  void per_class_table_counts_items_given_the_class_and_the_disputed_ones() {
    assertThat(Agreement.of(planted()).perClass())
        .containsExactly(
            new Agreement.ClassCount("bird", 2, 1),
            new Agreement.ClassCount("cat", 4, 2),
            new Agreement.ClassCount("dog", 3, 2));
  }

  @Test
  void majority_has_its_support_and_a_tie_has_no_majority() {
    Agreement.Report r = Agreement.of(planted());
    assertThat(r.disagreements())
        .extracting(Agreement.Votes::item)
        .containsExactly("b.png", "d.png");
    Agreement.Votes b = r.items().get(1);
    assertThat(b.majority()).contains("cat");
    assertThat(b.supportText()).isEqualTo("2/3");
    Agreement.Votes d = r.items().get(3);
    assertThat(d.majority()).isEmpty();
    assertThat(d.supportText()).isEqualTo("1/3");
    Agreement.Votes f = r.items().get(5); // blank label: majority of the labels given
    assertThat(f.majority()).contains("cat");
    assertThat(f.supportText()).isEqualTo("2/2");
    assertThat(f.disagreement()).isFalse();
  }

  @Test
  void a_single_label_throughout_leaves_kappa_undefined_with_a_note() {
    Agreement.Report r =
        Agreement.of(
            table(List.of("A", "B"), List.of(List.of("cat", "cat"), List.of("cat", "cat"))));
    assertThat(r.overall()).isEqualTo(1.0);
    assertThat(r.fleiss().defined()).isFalse();
    assertThat(r.pairs().get(0).kappa().defined()).isFalse();
    assertThat(r.pairs().get(0).agreement()).isEqualTo(1.0);
    assertThat(r.notes())
        .containsExactly(
            "only one label is used (cat): every kappa is undefined (chance agreement is 1)");
  }

  @Test
  void disagreements_csv_has_item_annotators_majority_and_support() throws Exception {
    assertThat(Agreement.of(planted()).disagreementsCsv().split("\r\n"))
        .containsExactly(
            "path,r1,r2,r3,majority,support",
            "b.png,cat,cat,dog,cat,2/3",
            "d.png,dog,cat,bird,,1/3");
  }

  @Test
  void reads_label_columns_with_path_as_the_default_item_column() throws Exception {
    Path csv =
        write("agree.csv", "\ufeffid,path,r1,r2,note\n1,a.png,cat,cat,x\n\n2,\"b,c.png\",dog,,y\n");
    LabelTable t = LabelTable.read(csv, List.of("r1", "r2"), Optional.empty());
    assertThat(t.itemColumn()).isEqualTo("path");
    assertThat(t.items()).containsExactly("a.png", "b,c.png");
    assertThat(t.labels()).containsExactly(List.of("cat", "cat"), List.of("dog", ""));
    assertThat(LabelTable.read(csv, List.of("r1", "r2"), Optional.of("id")).items())
        .containsExactly("1", "2");
    Path noPath = write("nopath.csv", "image,r1,r2\nx.png,a,b\n");
    assertThat(LabelTable.read(noPath, List.of("r1", "r2"), Optional.empty()).itemColumn())
        .isEqualTo("image");
  }

  @Test
  void a_missing_annotator_column_is_named_with_the_columns_present() throws Exception {
    Path csv = write("agree.csv", "path,r1,r2\na.png,cat,cat\n");
    assertThatThrownBy(() -> LabelTable.read(csv, List.of("r1", "r3"), Optional.empty()))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("no annotator column 'r3'")
        .hasMessageContaining("its columns are: path, r1, r2");
  }

  @Test
  void fewer_than_two_annotators_no_items_and_a_missing_file_are_errors() throws Exception {
    Path csv = write("agree.csv", "path,r1,r2\n");
    assertThatThrownBy(() -> LabelTable.read(csv, List.of("r1"), Optional.empty()))
        .hasMessageContaining("at least 2 annotator columns, got 1");
    assertThatThrownBy(() -> LabelTable.read(csv, List.of("r1", "r2"), Optional.empty()))
        .hasMessageContaining("has no items");
    assertThatThrownBy(
            () -> LabelTable.read(dir.resolve("absent.csv"), List.of("r1", "r2"), Optional.empty()))
        .hasMessageContaining("manifest not found");
  }

  @Test
  void a_short_row_and_a_repeated_item_name_their_line() throws Exception {
    Path shortRow = write("short.csv", "path,r1,r2\na.png,cat\n");
    assertThatThrownBy(() -> LabelTable.read(shortRow, List.of("r1", "r2"), Optional.empty()))
        .hasMessageContaining("line 2: expected 3 fields");
    Path twice = write("twice.csv", "path,r1,r2\na.png,cat,cat\na.png,dog,dog\n");
    assertThatThrownBy(() -> LabelTable.read(twice, List.of("r1", "r2"), Optional.empty()))
        .hasMessageContaining("line 3: item 'a.png' is listed twice (first on line 2)");
  }

  @Test
  void no_item_labelled_by_everyone_is_an_error() {
    LabelTable t = table(List.of("A", "B"), List.of(List.of("cat", ""), List.of("", "dog")));
    assertThatThrownBy(() -> Agreement.of(t))
        .isInstanceOf(ImgclassException.class)
        .hasMessageContaining("no item has a label from all 2 annotators");
  }

  private static LabelTable table(List<String> annotators, List<List<String>> rows) {
    List<String> items = IntStream.range(0, rows.size()).mapToObj(i -> "item" + i).toList();
    return new LabelTable("item", annotators, items, rows);
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }
}
