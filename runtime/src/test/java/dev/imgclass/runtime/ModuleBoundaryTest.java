package dev.imgclass.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgclass.core.EngineFree;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What is deployed never pulls in the training engine: the runtime module's own classpath (core,
 * runtime, their dependencies) must not hold libtorch, JavaCPP or the train module.
 */
class ModuleBoundaryTest {
  @Test
  void the_runtime_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }

  @Test
  void top_k_ranks_probabilities_highest_first() {
    assertThat(TopK.indices(new float[] {0.1f, 0.5f, 0.2f, 0.2f}, 3)).containsExactly(1, 2, 3);
    assertThat(TopK.of(new float[] {0.7f, 0.3f}, 5, List.of("a", "b")))
        .extracting(Prediction::label)
        .containsExactly("a", "b");
  }
}
