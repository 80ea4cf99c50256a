/// The kine-shaped schema both SQL drivers share: one append-only table whose id is the revision, the
/// newest row per name being the key's value, tombstones carrying the last value, and a unique
/// (name, prev_revision) so the database itself refuses a lost update. A `meta` table keeps the
/// revision counter, the compaction point and the schema version; migrations are numbered and each
/// is applied once, in order, recorded in the database.
struct KVSchema: Sendable {
    /// What differs between the SQL engines.
    struct Dialect: Sendable {
        var kvTable: String
        var metaTable: String
        /// The name column's type (bytewise order, as etcd's keys).
        var nameType: String
        var valueType: String
        var integerType: String
        var smallType: String
        /// The numbered migrations, oldest first (number = index + 1).
        var migrations: [String]
    }

    let dialect: Dialect

    var latestVersion: Int64 { Int64(dialect.migrations.count) }

    static let postgres = KVSchema(dialect: Dialect(
        kvTable: "edgectl_kv", metaTable: "edgectl_meta", nameType: "text COLLATE \"C\"", valueType: "bytea",
        integerType: "bigint", smallType: "smallint",
        migrations: [
            // 1: the log and the counters.
            """
            CREATE TABLE IF NOT EXISTS edgectl_kv (
              id bigint PRIMARY KEY,
              name text COLLATE "C" NOT NULL,
              created smallint NOT NULL,
              deleted smallint NOT NULL,
              create_revision bigint NOT NULL,
              prev_revision bigint NOT NULL,
              value bytea NOT NULL);
            CREATE UNIQUE INDEX IF NOT EXISTS edgectl_kv_name_prev ON edgectl_kv(name, prev_revision);
            CREATE INDEX IF NOT EXISTS edgectl_kv_name_id ON edgectl_kv(name, id);
            INSERT INTO edgectl_meta(k, v) VALUES ('revision', 0), ('compact_rev', 0) ON CONFLICT (k) DO NOTHING
            """,
        ]))

    static let sqlite = KVSchema(dialect: Dialect(
        kvTable: "kv", metaTable: "meta", nameType: "TEXT", valueType: "BLOB", integerType: "INTEGER", smallType: "INTEGER",
        migrations: [
            // 1: the log (AUTOINCREMENT: revisions never go back, even when compaction removed the newest rows;
            // replaced by 2).
            """
            CREATE TABLE IF NOT EXISTS kv (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              name TEXT NOT NULL,
              created INTEGER NOT NULL,
              deleted INTEGER NOT NULL,
              create_revision INTEGER NOT NULL,
              prev_revision INTEGER NOT NULL,
              value BLOB);
            CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev ON kv(name, prev_revision);
            CREATE INDEX IF NOT EXISTS kv_name_id ON kv(name, id)
            """,
            // 2: flash-friendly writes. Every commit wrote AUTOINCREMENT's sqlite_sequence page and a leaf of each
            // of two indexes; now the writer gives each row its revision itself (the single writer's in-memory
            // counter, started from `SQLiteBackend.storedRevision`), and one index on the name serves both "the
            // newest row of a name" and name-ordered scans (SQLite appends the rowid, the revision, to every
            // entry). The unique (name, prev_revision) is enforced by the writer's checks in its one transaction.
            // The old counter is kept as `revision_floor`, so revisions go on above it even when compaction had
            // removed the newest rows.
            """
            CREATE TABLE kv_v2 (
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL,
              created INTEGER NOT NULL,
              deleted INTEGER NOT NULL,
              create_revision INTEGER NOT NULL,
              prev_revision INTEGER NOT NULL,
              value BLOB);
            INSERT INTO kv_v2(id, name, created, deleted, create_revision, prev_revision, value)
              SELECT id, name, created, deleted, create_revision, prev_revision, value FROM kv ORDER BY id;
            INSERT OR REPLACE INTO meta(k, v) VALUES('revision_floor', MAX(
              COALESCE((SELECT v FROM meta WHERE k = 'revision_floor'), 0),
              COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'kv'), 0),
              COALESCE((SELECT MAX(id) FROM kv), 0)));
            DROP TABLE kv;
            ALTER TABLE kv_v2 RENAME TO kv;
            CREATE INDEX kv_name ON kv(name)
            """,
            // 3: small values packed (StoredValueCodec): `packed` is the inflated length of a value stored deflated,
            // NULL for one stored as it is (every row before this migration; no row is rewritten).
            "ALTER TABLE kv ADD COLUMN packed INTEGER",
        ]))

    /// Applies the SQLite migrations this database has not had, each in its own transaction with the version
    /// recorded in `meta`; refuses a database written by a newer edgectl. (Stores from before versioning
    /// have the tables already: migration 1 only records them.)
    func migrate(_ c: SQLiteConnection) throws {
        var version: Int64 = 0
        try c.query("SELECT COALESCE((SELECT v FROM \(dialect.metaTable) WHERE k = 'schema_version'), 0)") { version = SQLiteConnection.int($0, 0) }
        if version > latestVersion {
            throw StoreError.database("the store holds edgectl schema version \(version), newer than this edgectl knows (\(latestVersion)): run the newer edgectl")
        }
        for (i, sql) in dialect.migrations.enumerated() where Int64(i + 1) > version {
            try c.exec("BEGIN IMMEDIATE")
            do {
                try c.exec(sql)
                try c.query("INSERT OR REPLACE INTO \(dialect.metaTable)(k, v) VALUES('schema_version', ?)", [.int(Int64(i + 1))])
                try c.exec("COMMIT")
            } catch {
                try? c.exec("ROLLBACK")
                throw error
            }
        }
    }

    // Statements (PostgreSQL placeholders $n; the SQLite driver keeps its own text beside its connection).
    var latest: String { "SELECT id, create_revision, deleted, value FROM \(dialect.kvTable) WHERE name = $1 ORDER BY id DESC LIMIT 1" }

    var insert: String {
        "INSERT INTO \(dialect.kvTable)(id, name, created, deleted, create_revision, prev_revision, value) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    }

    /// Live keys in [$1, $2) as of revision $3, after $4, at most $5 (NULL = all).
    var list: String {
        """
        SELECT kv.id, kv.name, kv.create_revision, kv.value FROM \(dialect.kvTable) kv
        JOIN (SELECT MAX(id) AS mid FROM \(dialect.kvTable) WHERE name >= $1 AND name < $2 AND id <= $3 GROUP BY name) m ON kv.id = m.mid
        WHERE kv.deleted = 0 AND kv.name > $4 ORDER BY kv.name LIMIT $5
        """
    }

    var count: String {
        """
        SELECT COUNT(*) FROM \(dialect.kvTable) kv JOIN (SELECT MAX(id) AS mid FROM \(dialect.kvTable) WHERE name >= $1 AND name < $2 GROUP BY name) m
        ON kv.id = m.mid WHERE kv.deleted = 0
        """
    }

    /// Rows in ($1, $2] under [$3, $4) with the value each replaced, oldest first.
    var history: String {
        """
        SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, p.value, p.deleted
        FROM \(dialect.kvTable) k LEFT JOIN \(dialect.kvTable) p ON p.id = k.prev_revision
        WHERE k.id > $1 AND k.id <= $2 AND k.name >= $3 AND k.name < $4 ORDER BY k.id LIMIT $5
        """
    }

    /// Every row after $1, oldest first, at most $2 (the change feed).
    var feed: String {
        """
        SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.value, p.value, p.deleted
        FROM \(dialect.kvTable) k LEFT JOIN \(dialect.kvTable) p ON p.id = k.prev_revision
        WHERE k.id > $1 ORDER BY k.id LIMIT $2
        """
    }

    /// Keeps, per key, the newest row at or below $1 unless it is a tombstone, and every newer row.
    var compact: String {
        """
        DELETE FROM \(dialect.kvTable) WHERE id <= $1 AND (deleted = 1 OR id NOT IN
          (SELECT MAX(id) FROM \(dialect.kvTable) WHERE id <= $1 GROUP BY name))
        """
    }

    var meta: String { "SELECT k, v FROM \(dialect.metaTable) WHERE k IN ('revision', 'compact_rev')" }
}
