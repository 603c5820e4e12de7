package dev.imgclass.experiments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL at {@code IMGCLASS_TEST_POSTGRES} (a JDBC URL), each test in a
 * schema of its own that is dropped after it. Skipped without the variable, except under {@code
 * CI=true}, where {@code .ci/run} starts the server and sets it.
 */
class PostgresEventStoreTest extends EventStoreContract {
  static final String ENV = "IMGCLASS_TEST_POSTGRES";

  private String schema;

  /** The server's URL from the environment; skips (or fails under CI) without it. */
  static String serverUrl() {
    String url = System.getenv(ENV);
    if (url == null || url.isBlank()) {
      if ("true".equals(System.getenv("CI")))
        fail(
            ENV
                + " is not set although CI=true: .ci/run should have started PostgreSQL and"
                + " exported it");
      assumeTrue(false, ENV + " not set: the PostgreSQL event-store tests are skipped");
    }
    return url;
  }

  static Connection serverConnection() throws SQLException {
    return DriverManager.getConnection(serverUrl());
  }

  @Override
  void createDatabase() throws SQLException {
    serverUrl(); // skips, or fails under CI, before anything else
    schema = "imgclass_test_" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = serverConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
  }

  @Override
  void dropDatabase() throws SQLException {
    if (schema == null) return;
    try (Connection c = serverConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA " + schema + " CASCADE");
    }
  }

  @Override
  String location() {
    String url = serverUrl();
    return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  @Override
  Connection rawConnection() throws SQLException {
    return DriverManager.getConnection(location());
  }

  @Test
  void aBrokenConnectionIsReplaced() throws Exception {
    String app = "imgclass-" + schema;
    try (EventStore own = EventStore.open(location() + "&ApplicationName=" + app)) {
      own.insertExposures(List.of(TestEvents.plain("before", "m", 1, 1)));
      long killed =
          queryLong(
              "SELECT COUNT(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                  + " WHERE application_name = '"
                  + app
                  + "'");
      assertThat(killed).isEqualTo(1);
      own.insertExposures(List.of(TestEvents.plain("after", "m", 1, 2)));
      assertThat(own.exposureCount()).isEqualTo(2);
    }
  }
}
