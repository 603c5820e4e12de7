package dev.imgclass.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BuildInfoTest {
  @Test
  void the_build_fills_in_the_version_and_the_commit() {
    assertThat(BuildInfo.version())
        .doesNotContain("${")
        .isNotEqualTo("unknown")
        .matches("\\d+\\..+");
    // built from this git checkout: a hex commit, possibly marked dirty
    assertThat(BuildInfo.commit()).doesNotContain("${").matches("[0-9a-f]{7,40}(-dirty)?");
  }
}
