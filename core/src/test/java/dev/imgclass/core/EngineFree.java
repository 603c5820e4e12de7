package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.util.Arrays;
import java.util.List;

/**
 * The check behind every engine-free module's boundary test: what is deployed ({@code core}, {@code
 * runtime}, {@code data}, {@code eval}, {@code quantize}, later {@code serve}) never has libtorch,
 * JavaCPP or the train module on its classpath. The Maven enforcer's bannedDependencies rule checks
 * the same at build time; this test checks the classpath the code really runs with.
 */
public final class EngineFree {
  private EngineFree() {}

  /** Classpath entries that would bring the training engine in, for any module. */
  static final List<String> ENGINE_MARKERS =
      List.of("org/bytedeco", "bytedeco", "imgclass-train", "/train/target/");

  public static void assertClasspathHoldsNoEngine() {
    List<String> entries =
        Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    assertThat(entries)
        .as("classpath of an engine-free module")
        .noneMatch(e -> ENGINE_MARKERS.stream().anyMatch(m -> e.replace('\\', '/').contains(m)));
    for (String cls :
        List.of(
            "org.bytedeco.pytorch.Tensor",
            "org.bytedeco.javacpp.Loader",
            "dev.imgclass.train.models.Net")) {
      assertThatThrownBy(() -> Class.forName(cls))
          .as(cls)
          .isInstanceOf(ClassNotFoundException.class);
    }
  }
}
