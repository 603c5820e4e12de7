package dev.imgclass.quantize;

import dev.imgclass.core.EngineFree;
import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
  @Test
  void the_quantize_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }
}
