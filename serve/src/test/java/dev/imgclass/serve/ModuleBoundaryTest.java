package dev.imgclass.serve;

import dev.imgclass.core.EngineFree;
import org.junit.jupiter.api.Test;

/** What is deployed never pulls in the training engine: the serve module's classpath holds none. */
class ModuleBoundaryTest {
  @Test
  void the_serve_classpath_holds_no_training_engine() {
    EngineFree.assertClasspathHoldsNoEngine();
  }
}
