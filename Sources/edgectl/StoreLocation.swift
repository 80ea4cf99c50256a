/// Where the server's SQLite store lives: `--datastore-endpoint sqlite:///path`, else `<data-dir>/db/state.db`.
enum StoreLocation {
    static let scheme = "sqlite://"

    static func path(dataDir: String, endpoint: String?) -> String {
        endpoint.map { String($0.dropFirst(scheme.count)) } ?? dataDir + "/db/state.db"
    }
}
