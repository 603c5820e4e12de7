package dev.imgclass.data;

import dev.imgclass.core.EngineFree;
import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
  @Test
  void the_data_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }
}
