package dev.imgclass.experiments;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite, a fresh file per test. */
class SqliteEventStoreTest extends EventStoreContract {
  @TempDir Path dir;

  Path file() {
    return dir.resolve("events.db");
  }

  @Override
  String location() {
    return file().toString();
  }

  @Override
  Connection rawConnection() throws SQLException {
    return DriverManager.getConnection("jdbc:sqlite:" + file());
  }
}
