package dev.imgclass.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {
  @TempDir Path dir;

  Path token(String text, String mode) throws Exception {
    Path f = dir.resolve("t" + mode);
    Files.writeString(f, text);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
    return f;
  }

  @Test
  void a_token_file_other_users_can_read_stops_the_server_from_starting() throws Exception {
    Path open = token(ServerFixture.TOKEN, "rw-r--r--");
    assertThatThrownBy(() -> AdminToken.read(open)).hasMessageContaining("chmod 600");
    Path store = ModelStore.openOrCreate(dir.resolve("store")).root();
    assertThatThrownBy(
            () ->
                InferenceServer.start(
                    store,
                    ServeOptions.defaults().withPorts(0, 0).withAdminTokenFile(open),
                    l -> {}))
        .hasMessageContaining("open to other users");
    assertThatThrownBy(() -> AdminToken.read(token(ServerFixture.TOKEN, "rw----r--")))
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> AdminToken.read(dir.resolve("missing")))
        .hasMessageContaining("not found");
    assertThatThrownBy(() -> AdminToken.read(token("short", "rw-------")))
        .hasMessageContaining("at least 16");
  }

  @Test
  void only_the_exact_bearer_token_is_accepted() throws Exception {
    AdminToken t = AdminToken.read(token(ServerFixture.TOKEN + "\n", "r--------"));
    assertThat(t.accepts("Bearer " + ServerFixture.TOKEN)).isTrue();
    assertThat(t.accepts("bearer " + ServerFixture.TOKEN)).isTrue();
    assertThat(t.accepts("Bearer " + ServerFixture.TOKEN + "x")).isFalse();
    assertThat(t.accepts("Bearer " + ServerFixture.TOKEN.substring(1))).isFalse();
    assertThat(t.accepts("Basic " + ServerFixture.TOKEN)).isFalse();
    assertThat(t.accepts(ServerFixture.TOKEN)).isFalse();
    assertThat(t.accepts(null)).isFalse();
    assertThat(t.accepts("")).isFalse();
  }
}
