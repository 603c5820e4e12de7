package dev.imgclass.core;

import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
  @Test
  void the_core_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }

  @Test
  void the_check_sees_an_engine_jar_on_a_classpath() {
    // the marker list must match what Maven puts on a classpath for the engine
    org.assertj.core.api.Assertions.assertThat(EngineFree.ENGINE_MARKERS)
        .anyMatch("/root/.m2/repository/org/bytedeco/pytorch/2.10.0-1.5.13/pytorch.jar"::contains)
        .anyMatch("/work/main/train/target/classes"::contains);
  }
}
