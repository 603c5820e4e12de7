package dev.imgclass.eval;

import dev.imgclass.core.EngineFree;
import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
  @Test
  void the_eval_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }
}
