import CSQLite

/// The SQLite library linked into edgectl.
public enum SQLiteLibrary {
    /// "sqlite 3.40.1"
    public static var version: String { "sqlite " + String(cString: sqlite3_libversion()) }
}
