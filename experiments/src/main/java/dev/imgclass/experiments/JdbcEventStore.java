package dev.imgclass.experiments;

import dev.imgclass.core.ImgclassException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;

/**
 * {@link EventStore} over JDBC: SQLite (WAL) or PostgreSQL, schema from versioned SQL.
 *
 * <p>SQLite runs in WAL mode with {@code synchronous=NORMAL}: a committed transaction survives a
 * crash of the process (even {@code kill -9}); a power loss or an OS crash may lose the last
 * transactions committed before it (the file stays consistent where the disk honours fsync).
 * PostgreSQL is as durable as the server is configured to be.
 *
 * <p>One connection, used under a lock (SQLite serialises writers anyway). A PostgreSQL connection
 * that broke is replaced once per operation and the operation retried; should the break fall
 * between a commit and its answer, the retry repeats the write, which the idempotent inserts and
 * upserts skip but which adds a second row to events and evaluations. The schema is created and
 * migrated on open from {@code schema/V<n>__<name>.sql} resources, one transaction each, and its
 * version kept in {@code schema_version}.
 */
final class JdbcEventStore implements EventStore {
  /** Migrations in order: the n-th (from 1) brings the schema to version n. */
  private static final List<String> MIGRATIONS = List.of("V1__events.sql");

  /** The newest schema version this code knows. */
  static final int LATEST_SCHEMA = MIGRATIONS.size();

  private static final String ACCEPTED =
      "give a file path (SQLite), jdbc:sqlite:FILE or"
          + " jdbc:postgresql://HOST[:PORT]/DATABASE[?user=USER&password=PASSWORD]";

  /** A URL scheme (two characters at least, so that a Windows drive letter stays a path). */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

  private static final int BATCH = 1000;

  enum Dialect {
    SQLITE,
    POSTGRESQL
  }

  private static final String EXPOSURE_COLUMNS =
      "request_id, experiment, period, arm, unit_id, model, version, predicted, confidence,"
          + " latency_us, time_ms, shadow, error";

  private static final String OBSERVATION_COLUMNS =
      "e.request_id, e.arm, e.unit_id, e.predicted, e.confidence, e.latency_us, e.error,"
          + " e.time_ms, f.label, f.reward, f.time_ms";

  private static final String EXPERIMENT_COLUMNS =
      "id, config_json, state, period, period_start_ms, updated_ms, reason";

  private final Dialect dialect;
  private final String url;
  private final Properties properties;
  private final String display;
  private final Object lock = new Object();
  private final int schemaVersion;
  private Connection connection; // guarded by lock; null after a broken PostgreSQL connection
  private boolean closed; // guarded by lock

  static JdbcEventStore open(String location) {
    if (location == null || location.isBlank())
      throw new ImgclassException("no events store location given: " + ACCEPTED);
    String loc = location.strip();
    if (loc.startsWith("jdbc:postgresql:")) {
      return new JdbcEventStore(Dialect.POSTGRESQL, loc, postgresProperties(), withoutQuery(loc));
    }
    String file;
    if (loc.startsWith("jdbc:sqlite:")) file = loc.substring("jdbc:sqlite:".length());
    else if (SCHEME.matcher(loc).lookingAt())
      throw new ImgclassException(
          "events store location '" + withoutQuery(loc) + "' is not supported: " + ACCEPTED);
    else file = loc;
    if (file.isEmpty()) throw new ImgclassException("jdbc:sqlite: needs a file: " + ACCEPTED);
    boolean plainFile = !file.startsWith(":memory:") && !file.startsWith("file:");
    if (plainFile) {
      Path path = Path.of(file).toAbsolutePath();
      if (Files.isDirectory(path))
        throw new ImgclassException("events store " + path + " is a folder; give a file path");
      try {
        if (path.getParent() != null) Files.createDirectories(path.getParent());
      } catch (IOException e) {
        throw new ImgclassException(
            "cannot create the folder " + path.getParent() + " for the events store: " + e, e);
      }
      file = path.toString();
    }
    return new JdbcEventStore(Dialect.SQLITE, "jdbc:sqlite:" + file, sqliteProperties(), file);
  }

  private static Properties sqliteProperties() {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout(10_000);
    // every transaction here writes: take the write lock at BEGIN, not at the first write
    config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    return config.toProperties();
  }

  /** Defaults; parameters in the URL's query take precedence. */
  private static Properties postgresProperties() {
    Properties p = new Properties();
    p.setProperty("connectTimeout", "10");
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("reWriteBatchedInserts", "true");
    p.setProperty("ApplicationName", "imgclass");
    return p;
  }

  private JdbcEventStore(Dialect dialect, String url, Properties properties, String display) {
    this.dialect = dialect;
    this.url = url;
    this.properties = properties;
    this.display = display;
    try {
      connection = connect();
    } catch (SQLException e) {
      throw openFailure(e);
    }
    try {
      schemaVersion = migrate(connection);
    } catch (SQLException e) {
      closeQuietly(connection);
      throw openFailure(e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  private Connection connect() throws SQLException {
    Connection c = DriverManager.getConnection(url, properties);
    if (dialect == Dialect.SQLITE) {
      // reading the journal mode reads the file: a file that is not a database fails here
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
        rs.next();
      } catch (SQLException e) {
        closeQuietly(c);
        throw e;
      }
    }
    return c;
  }

  private ImgclassException openFailure(SQLException e) {
    String why = oneLine(e);
    if (dialect == Dialect.SQLITE) {
      int code = e.getErrorCode() & 0xff;
      if (code == 26 || why.contains("not a database"))
        return new ImgclassException(
            "events store "
                + display
                + " is not an SQLite database; move it away or give another"
                + " path",
            e);
      if (code == 11)
        return new ImgclassException(
            "events store " + display + " is a damaged SQLite database (" + why + ")", e);
      return new ImgclassException("cannot open the events store " + display + ": " + why, e);
    }
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    if (state.startsWith("08"))
      return new ImgclassException(
          "cannot reach PostgreSQL at " + display + " (" + why + "); is the server running?", e);
    if (state.startsWith("28"))
      return new ImgclassException(
          "PostgreSQL at " + display + " refused the login (" + why + "); check user and password",
          e);
    if (state.equals("3D000"))
      return new ImgclassException(
          "PostgreSQL at " + display + " has no such database (" + why + "); create it first", e);
    return new ImgclassException("cannot open the events store " + display + ": " + why, e);
  }

  /** Brings the schema to {@link #LATEST_SCHEMA}, one transaction per version. */
  private int migrate(Connection c) throws SQLException {
    while (true) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        if (dialect == Dialect.POSTGRESQL) {
          // two processes opening a new database at once: one migrates, the other waits
          s.execute("SELECT pg_advisory_xact_lock(720417, hashtext(current_schema()))");
        }
        s.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        int version;
        try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM schema_version")) {
          version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version > LATEST_SCHEMA)
          throw new ImgclassException(
              "events store "
                  + display
                  + " at schema "
                  + version
                  + ", this imgclass knows up to "
                  + LATEST_SCHEMA
                  + ": open it with a newer imgclass or give another store");
        if (version == LATEST_SCHEMA) {
          c.commit();
          return version;
        }
        int next = version + 1;
        try {
          for (String sql : migration(next)) s.execute(sql);
        } catch (SQLException e) {
          throw new ImgclassException(
              "events store "
                  + display
                  + ": migration to schema "
                  + next
                  + " failed: "
                  + oneLine(e),
              e);
        }
        s.executeUpdate("DELETE FROM schema_version");
        s.executeUpdate("INSERT INTO schema_version (version) VALUES (" + next + ")");
        c.commit();
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        autoCommitQuietly(c);
      }
    }
  }

  /** The statements of migration {@code version} in this dialect. */
  private List<String> migration(int version) {
    String name = MIGRATIONS.get(version - 1);
    String text;
    try (InputStream in = JdbcEventStore.class.getResourceAsStream("schema/" + name)) {
      if (in == null) throw new IllegalStateException("migration resource missing: " + name);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + name, e);
    }
    StringBuilder body = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (!line.strip().startsWith("--")) body.append(line).append('\n');
    }
    String sql =
        body.toString()
            .replace(
                "${id}",
                dialect == Dialect.SQLITE
                    ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                    : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
            .replace("${blob}", dialect == Dialect.SQLITE ? "BLOB" : "BYTEA");
    List<String> statements = new ArrayList<>();
    for (String statement : sql.split(";\\s*\n")) {
      if (!statement.isBlank()) statements.add(statement.strip());
    }
    return statements;
  }

  Dialect dialect() {
    return dialect;
  }

  /** The value of an SQLite {@code PRAGMA} on the store's connection (what tests check). */
  String pragma(String name) {
    if (dialect != Dialect.SQLITE) throw new IllegalStateException("not an SQLite store");
    if (!name.matches("[a-z_]+")) throw new IllegalArgumentException("pragma name: " + name);
    return read(
        "reading PRAGMA " + name,
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? rs.getString(1) : null;
          }
        });
  }

  @Override
  public int schemaVersion() {
    return schemaVersion;
  }

  @Override
  public void insertExposures(List<Exposure> exposures) {
    insertIgnoringDuplicates(
        "exposures",
        EXPOSURE_COLUMNS,
        13,
        exposures,
        (ps, e) -> {
          ps.setString(1, e.requestId());
          ps.setString(2, e.experiment());
          ps.setInt(3, e.period());
          ps.setString(4, e.arm());
          ps.setString(5, e.unit());
          ps.setString(6, e.model());
          ps.setInt(7, e.version());
          ps.setInt(8, e.predicted());
          ps.setDouble(9, e.confidence());
          ps.setLong(10, e.latencyMicros());
          ps.setLong(11, e.timeMillis());
          ps.setInt(12, e.shadow() ? 1 : 0);
          ps.setInt(13, e.error() ? 1 : 0);
        });
  }

  @Override
  public void insertFeedback(List<Feedback> feedback) {
    insertIgnoringDuplicates(
        "feedback",
        "request_id, label, reward, time_ms",
        4,
        feedback,
        (ps, f) -> {
          ps.setString(1, f.requestId());
          if (f.label() == null) ps.setNull(2, Types.INTEGER);
          else ps.setInt(2, f.label());
          if (f.reward() == null) ps.setNull(3, Types.DOUBLE);
          else ps.setDouble(3, f.reward());
          ps.setLong(4, f.timeMillis());
        });
  }

  /** Sets one row's parameters of a batched insert. */
  @FunctionalInterface
  private interface RowBinder<T> {
    void bind(PreparedStatement ps, T row) throws SQLException;
  }

  /**
   * Inserts {@code rows} into {@code table} in one transaction, in JDBC batches of {@link #BATCH},
   * skipping rows whose {@code request_id} is stored already (SQLite {@code INSERT OR IGNORE},
   * PostgreSQL {@code ON CONFLICT DO NOTHING}): a batch retried after a failure never duplicates.
   */
  private <T> void insertIgnoringDuplicates(
      String table, String columns, int count, List<T> rows, RowBinder<T> bind) {
    if (rows.isEmpty()) return;
    String values = " (" + columns + ") VALUES (" + marks(count) + ")";
    String sql =
        dialect == Dialect.SQLITE
            ? "INSERT OR IGNORE INTO " + table + values
            : "INSERT INTO " + table + values + " ON CONFLICT (request_id) DO NOTHING";
    write(
        "storing " + rows.size() + " " + table,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            int batched = 0;
            for (T row : rows) {
              bind.bind(ps, row);
              ps.addBatch();
              if (++batched == BATCH) {
                ps.executeBatch();
                batched = 0;
              }
            }
            if (batched > 0) ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public Optional<Exposure> exposure(String requestId) {
    return query(
            "reading exposure " + requestId,
            "SELECT " + EXPOSURE_COLUMNS + " FROM exposures WHERE request_id = ?",
            ps -> ps.setString(1, requestId),
            rs ->
                new Exposure(
                    rs.getString(1),
                    rs.getString(2),
                    rs.getInt(3),
                    rs.getString(4),
                    rs.getString(5),
                    rs.getString(6),
                    rs.getInt(7),
                    rs.getInt(8),
                    (float) rs.getDouble(9),
                    rs.getLong(10),
                    rs.getLong(11),
                    rs.getInt(12) != 0,
                    rs.getInt(13) != 0))
        .stream()
        .findFirst();
  }

  @Override
  public boolean hasFeedback(String requestId) {
    return !query(
            "reading feedback " + requestId,
            "SELECT 1 FROM feedback WHERE request_id = ?",
            ps -> ps.setString(1, requestId),
            rs -> true)
        .isEmpty();
  }

  @Override
  public List<Observation> observations(String experiment, int period) {
    return periodObservations(experiment, period, false);
  }

  @Override
  public List<Observation> shadowObservations(String experiment, int period) {
    return periodObservations(experiment, period, true);
  }

  private List<Observation> periodObservations(String experiment, int period, boolean shadow) {
    String sql =
        "SELECT "
            + OBSERVATION_COLUMNS
            + (shadow
                ? " FROM exposures e LEFT JOIN feedback f ON f.request_id = REPLACE(e.request_id, '"
                    + Exposure.SHADOW_SUFFIX
                    + "', '')"
                : " FROM exposures e LEFT JOIN feedback f ON f.request_id = e.request_id")
            + " WHERE e.experiment = ? AND e.period = ? AND e.shadow = ?"
            + " ORDER BY e.time_ms, "
            + ordered("e.request_id");
    return read(
        "reading observations of " + experiment + " period " + period,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, experiment);
            ps.setInt(2, period);
            ps.setInt(3, shadow ? 1 : 0);
            return observations(ps);
          }
        });
  }

  @Override
  public List<String> rebucketedUnits(String experiment, int period) {
    // each unit's latest arm in the period, against the arms it saw in earlier periods
    String sql =
        "WITH current_arm AS ("
            + " SELECT unit_id, arm, ROW_NUMBER() OVER (PARTITION BY unit_id ORDER BY time_ms DESC, "
            + ordered("request_id")
            + " DESC) AS latest"
            + " FROM exposures"
            + " WHERE experiment = ? AND period = ? AND shadow = 0 AND unit_id IS NOT NULL),"
            + " earlier_arm AS ("
            + " SELECT DISTINCT unit_id, arm FROM exposures"
            + " WHERE experiment = ? AND period < ? AND shadow = 0 AND unit_id IS NOT NULL)"
            + " SELECT c.unit_id FROM current_arm c"
            + " WHERE c.latest = 1 AND EXISTS (SELECT 1 FROM earlier_arm p"
            + " WHERE p.unit_id = c.unit_id AND p.arm IS DISTINCT FROM c.arm)"
            + " ORDER BY "
            + ordered("c.unit_id");
    return query(
        "reading re-bucketed units of " + experiment + " period " + period,
        sql,
        ps -> {
          ps.setString(1, experiment);
          ps.setInt(2, period);
          ps.setString(3, experiment);
          ps.setInt(4, period);
        },
        rs -> rs.getString(1));
  }

  @Override
  public List<Observation> recentObservations(
      String model, int version, long sinceMillis, int limit) {
    if (limit < 0) throw new IllegalArgumentException("limit must be ≥ 0, got " + limit);
    if (limit == 0) return List.of();
    String sql =
        "SELECT "
            + OBSERVATION_COLUMNS
            + " FROM exposures e LEFT JOIN feedback f ON f.request_id = e.request_id"
            + " WHERE e.model = ? AND e.version = ? AND e.time_ms >= ? AND e.shadow = 0"
            + " ORDER BY e.time_ms DESC, "
            + ordered("e.request_id")
            + " DESC LIMIT ?";
    return read(
        "reading recent observations of " + model + " v" + version,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, model);
            ps.setInt(2, version);
            ps.setLong(3, sinceMillis);
            ps.setInt(4, limit);
            List<Observation> newestFirst = observations(ps);
            Collections.reverse(newestFirst);
            return newestFirst;
          }
        });
  }

  private static List<Observation> observations(PreparedStatement ps) throws SQLException {
    List<Observation> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        int label = rs.getInt(9);
        boolean noLabel = rs.wasNull();
        double reward = rs.getDouble(10);
        boolean noReward = rs.wasNull();
        out.add(
            new Observation(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getInt(4),
                (float) rs.getDouble(5),
                rs.getLong(6),
                rs.getInt(7) != 0,
                rs.getLong(8),
                noLabel ? null : label,
                noReward ? null : reward,
                rs.getLong(11)));
      }
    }
    return out;
  }

  @Override
  public void saveExperiment(ExperimentRecord experiment) {
    String sql =
        "INSERT INTO experiments ("
            + EXPERIMENT_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
            + " config_json = excluded.config_json, state = excluded.state,"
            + " period = excluded.period, period_start_ms = excluded.period_start_ms,"
            + " updated_ms = excluded.updated_ms, reason = excluded.reason";
    write(
        "saving experiment " + experiment.id(),
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, experiment.id());
            ps.setString(2, experiment.configJson());
            ps.setString(3, experiment.state());
            ps.setInt(4, experiment.period());
            ps.setLong(5, experiment.periodStartMillis());
            ps.setLong(6, experiment.updatedMillis());
            ps.setString(7, experiment.reason());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<ExperimentRecord> experiment(String id) {
    return query(
            "reading experiment " + id,
            "SELECT " + EXPERIMENT_COLUMNS + " FROM experiments WHERE id = ?",
            ps -> ps.setString(1, id),
            JdbcEventStore::experimentRow)
        .stream()
        .findFirst();
  }

  @Override
  public List<ExperimentRecord> experiments() {
    return query(
        "reading experiments",
        "SELECT " + EXPERIMENT_COLUMNS + " FROM experiments ORDER BY " + ordered("id"),
        ps -> {},
        JdbcEventStore::experimentRow);
  }

  private static ExperimentRecord experimentRow(ResultSet rs) throws SQLException {
    return new ExperimentRecord(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getInt(4),
        rs.getLong(5),
        rs.getLong(6),
        rs.getString(7));
  }

  @Override
  public void appendEvent(ExperimentEvent event) {
    update(
        "appending an event of experiment " + event.experiment(),
        "INSERT INTO experiment_events (experiment, time_ms, kind, detail) VALUES (?, ?, ?, ?)",
        ps -> {
          ps.setString(1, event.experiment());
          ps.setLong(2, event.timeMillis());
          ps.setString(3, event.kind());
          ps.setString(4, event.detail());
        });
  }

  @Override
  public List<ExperimentEvent> events(String experiment) {
    return query(
        "reading events of experiment " + experiment,
        "SELECT experiment, time_ms, kind, detail FROM experiment_events"
            + " WHERE experiment = ? ORDER BY time_ms, id",
        ps -> ps.setString(1, experiment),
        rs ->
            new ExperimentEvent(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4)));
  }

  @Override
  public void saveEvaluation(EvaluationRecord evaluation) {
    update(
        "saving an evaluation of " + evaluation.model() + " v" + evaluation.version(),
        "INSERT INTO evaluations (model, version, time_ms, source, n, accuracy, result_json,"
            + " correct, alert) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ps -> {
          ps.setString(1, evaluation.model());
          ps.setInt(2, evaluation.version());
          ps.setLong(3, evaluation.timeMillis());
          ps.setString(4, evaluation.source());
          ps.setInt(5, evaluation.n());
          ps.setDouble(6, evaluation.accuracy());
          ps.setString(7, evaluation.resultJson());
          ps.setBytes(8, evaluation.correct() == null ? new byte[0] : evaluation.correct());
          ps.setInt(9, evaluation.alert() ? 1 : 0);
        });
  }

  @Override
  public List<EvaluationRecord> evaluations(String model) {
    return query(
        "reading evaluations of " + model,
        "SELECT model, version, time_ms, source, n, accuracy, result_json, correct, alert"
            + " FROM evaluations WHERE model = ? ORDER BY time_ms, id",
        ps -> ps.setString(1, model),
        rs -> {
          byte[] correct = rs.getBytes(8);
          return new EvaluationRecord(
              rs.getString(1),
              rs.getInt(2),
              rs.getLong(3),
              rs.getString(4),
              rs.getInt(5),
              rs.getDouble(6),
              rs.getString(7),
              correct == null ? new byte[0] : correct,
              rs.getInt(9) != 0);
        });
  }

  @Override
  public long exposureCount() {
    return read(
        "counting exposures",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM exposures")) {
            rs.next();
            return rs.getLong(1);
          }
        });
  }

  /** Closes the connection; a second call does nothing. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) return;
      closed = true;
      if (connection != null) closeQuietly(connection);
      connection = null;
    }
  }

  @Override
  public String toString() {
    return "events store " + display;
  }

  // ---- connection handling ----

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** Sets a statement's parameters. */
  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  /** One result row as a value. */
  @FunctionalInterface
  private interface Row<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Every row of one query. */
  private <T> List<T> query(String what, String sql, Binder bind, Row<T> row) {
    return read(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) out.add(row.map(rs));
            }
            return out;
          }
        });
  }

  /** One statement that changes the store, in its own transaction. */
  private void update(String what, String sql, Binder bind) {
    write(
        what,
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind.bind(ps);
            ps.executeUpdate();
          }
          return null;
        });
  }

  private <T> T read(String what, Work<T> work) {
    return run(what, false, work);
  }

  private <T> T write(String what, Work<T> work) {
    return run(what, true, work);
  }

  private <T> T run(String what, boolean transaction, Work<T> work) {
    synchronized (lock) {
      if (closed) throw new IllegalStateException("events store " + display + " is closed");
      for (int attempt = 0; ; attempt++) {
        try {
          if (connection == null) connection = connect();
          Connection c = connection;
          if (!transaction) return work.run(c);
          c.setAutoCommit(false);
          try {
            T result = work.run(c);
            c.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
          } finally {
            autoCommitQuietly(c);
          }
        } catch (SQLException e) {
          if (attempt == 0 && dialect == Dialect.POSTGRESQL && broken(e)) {
            if (connection != null) closeQuietly(connection);
            connection = null;
            continue;
          }
          throw new ImgclassException(
              "events store " + display + ": " + what + " failed: " + oneLine(e), e);
        }
      }
    }
  }

  /** Whether the PostgreSQL connection is gone (not just the statement refused). */
  private boolean broken(SQLException e) {
    if (connection == null) return true;
    String state = e.getSQLState();
    if (state != null && state.startsWith("08")) return true;
    try {
      return !connection.isValid(2);
    } catch (SQLException ignored) {
      return true;
    }
  }

  private String ordered(String column) {
    // PostgreSQL sorts text by the database's collation; byte order matches SQLite's
    return dialect == Dialect.POSTGRESQL ? column + " COLLATE \"C\"" : column;
  }

  private static String marks(int n) {
    return String.join(", ", Collections.nCopies(n, "?"));
  }

  private static String withoutQuery(String location) {
    int q = location.indexOf('?');
    return q < 0 ? location : location.substring(0, q);
  }

  /** The first line of an exception's message (drivers' messages may run to several). */
  static String oneLine(Throwable e) {
    String m = e.getMessage();
    if (m == null || m.isBlank()) return e.getClass().getSimpleName();
    m = m.strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is gone; nothing was committed
    }
  }

  private static void autoCommitQuietly(Connection c) {
    try {
      c.setAutoCommit(true);
    } catch (SQLException ignored) {
      // a broken connection; the next operation notices
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
  }
}
