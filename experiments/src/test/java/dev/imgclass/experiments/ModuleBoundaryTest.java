package dev.imgclass.experiments;

import dev.imgclass.core.EngineFree;
import org.junit.jupiter.api.Test;

/** Experiments run inside the server: their classpath holds no training engine. */
class ModuleBoundaryTest {
  @Test
  void the_experiments_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }
}
