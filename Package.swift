// swift-tools-version:6.0
// edgectl: one binary that is a Kubernetes-compatible server and node agent.
// Dependencies are kept to SwiftNIO and swift-log (see DESIGN.md); the command line has its own
// small parser (EdgeCommandLine), since swift-argument-parser brought FoundationEssentials in:
// every package costs build time and binary size on a 1 GB board.
import PackageDescription

// 64-bit time_t and off_t for the C code on 32-bit ARM too (glibc needs both macros), so
// nothing breaks in 2038 or on files over 2 GB; no effect on 64-bit targets. Swift code
// and the runtime get the same macros from the armv7 Swift SDK (scripts/cross-build).
let largeTimeAndFiles: [CSetting] = [.define("_FILE_OFFSET_BITS", to: "64"), .define("_TIME_BITS", to: "64")]

// Optimized for size where no measured hot path runs (docs/BENCHMARKS.md, "Boards"): the
// command line, the controllers and the image store. The API server, store, TLS,
// scheduler, agent, runtime and network stay at -O.
let smallerCode: [SwiftSetting] = [.unsafeFlags(["-Osize"], .when(configuration: .release))]

let package = Package(
    name: "edgectl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "edgectl", targets: ["edgectl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    ],
    targets: [
        // System SQLite (libsqlite3-dev); WAL store backend.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // mbedtls (libmbedtls-dev) plus a small C shim: TLS sessions driven from NIO, PKI.
        .target(
            name: "CMbedTLS",
            path: "Sources/CMbedTLS",
            cSettings: largeTimeAndFiles,
            linkerSettings: [.linkedLibrary("mbedtls"), .linkedLibrary("mbedx509"), .linkedLibrary("mbedcrypto")]
        ),
        // The container runtime's C core (namespaces, mounts, capabilities, seccomp via libseccomp-dev, cgroups).
        .target(
            name: "CEdgeRuntime",
            path: "Sources/CEdgeRuntime",
            cSettings: [.define("_GNU_SOURCE")] + largeTimeAndFiles,
            linkerSettings: [.linkedLibrary("seccomp")]
        ),
        .target(name: "EdgeRuntime", dependencies: ["CEdgeRuntime", "EdgeAPI"]),
        // System zlib (zlib1g-dev): inflating gzip image layers as they stream in.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The node's image store: OCI/docker import, registry pulls, layer unpacking for overlayfs.
        .target(name: "EdgeImages", dependencies: [
            "EdgeAPI", "EdgeTLS", "CZlib",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], swiftSettings: smallerCode),
        .target(name: "EdgeAPI"),
        // The command line: options declared with @Option/@Flag/@Argument/@OptionGroup, parsing, help, usage errors.
        .target(name: "EdgeCommandLine", swiftSettings: smallerCode),
        // Board profiles (boards/, embedded), host checks (preflight), board health, disk images and flashing, install and clean-up.
        .target(name: "CEdgeBoards", path: "Sources/CEdgeBoards", cSettings: largeTimeAndFiles),
        .target(name: "EdgeBoards", dependencies: ["EdgeAPI", "CZlib", "CEdgeBoards"]),
        // The state store: the Backend contract, watch fan-out, and one driver per --datastore-endpoint scheme
        // (SQLite embedded; etcd through its v3 JSON gateway and PostgreSQL through a small wire-protocol
        // client, both on NIO and EdgeTLS, so no gRPC or second TLS stack: docs/STORES.md).
        .target(name: "EdgeStore", dependencies: [
            "EdgeAPI", "CSQLite", "EdgeTLS", "CZlib",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EdgeTLS", dependencies: [
            "CMbedTLS",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The registry: one strategy per resource in a catalog that changes at run time, the generic store
        // over EdgeStore, admission, every write with its context (user, field manager, dry run).
        .target(name: "EdgeRegistry", dependencies: [
            "EdgeAPI", "EdgeStore", "EdgeTLS",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Who is asking and may they: authenticators, the authorizer chain (Node, then RBAC), service account tokens.
        .target(name: "EdgeAuth", dependencies: ["EdgeAPI", "EdgeStore", "EdgeRegistry", "EdgeTLS",
                                                .product(name: "Logging", package: "swift-log")]),
        // The HTTP surface: routing, verbs, watch streams, discovery and OpenAPI from the catalog, proxy to agents.
        .target(name: "EdgeAPIServer", dependencies: [
            "EdgeAPI", "EdgeStore", "EdgeTLS", "EdgeRegistry", "EdgeAuth",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EdgeClient", dependencies: [
            "EdgeAPI", "EdgeTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EdgeScheduler", dependencies: ["EdgeAPI", "EdgeClient", .product(name: "Logging", package: "swift-log")]),
        .target(name: "EdgeControllers", dependencies: ["EdgeAPI", "EdgeClient", .product(name: "Logging", package: "swift-log")],
                swiftSettings: smallerCode),
        // rtnetlink (links, addresses, routes, neighbours) and the CNI plugin runner, in C: no process per pod.
        .target(name: "CEdgeNet", path: "Sources/CEdgeNet", cSettings: [.define("_GNU_SOURCE")] + largeTimeAndFiles),
        // The node's network: pod network (bridge, veth, IPAM, vxlan/host-gw, CNI); iptables (flavour, restore
        // transactions, chain ownership), the service proxy and the cluster DNS server on NIO UDP/TCP.
        .target(name: "EdgeNet", dependencies: [
            "EdgeAPI", "EdgeClient", "EdgeTLS", "CEdgeNet",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EdgeAgent", dependencies: [
            "EdgeAPI", "EdgeClient", "EdgeRuntime", "EdgeTLS", "EdgeNet", "CZlib", "EdgeBoards",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // Wires EdgeClient to an API service in the same process (server components, tests).
        .target(name: "EdgeInProcess", dependencies: ["EdgeAPI", "EdgeClient", "EdgeAPIServer", "EdgeRegistry", "EdgeAuth", "EdgeStore"]),
        .executableTarget(name: "edgectl", dependencies: [
            "EdgeAPI", "EdgeStore", "EdgeTLS", "EdgeRegistry", "EdgeAuth", "EdgeAPIServer", "EdgeClient", "EdgeScheduler", "EdgeControllers",
            "EdgeAgent", "EdgeInProcess",
            "EdgeRuntime",
            "EdgeImages",
            "EdgeNet",
            "EdgeBoards",
            "EdgeCommandLine",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: smallerCode),
        // What the test targets share: how long a test waits for a condition before it fails, the wait itself,
        // a log handler that keeps what was logged, and a transport that refuses chosen requests.
        .target(name: "EdgeTestSupport", dependencies: ["EdgeClient", .product(name: "Logging", package: "swift-log")], path: "Tests/EdgeTestSupport"),
        .testTarget(name: "EdgeAPITests", dependencies: ["EdgeAPI"]),
        .testTarget(name: "EdgeCommandLineTests", dependencies: ["EdgeCommandLine"]),
        .testTarget(name: "EdgeBoardsTests", dependencies: ["EdgeBoards", "EdgeAPI"]),
        .testTarget(name: "EdgeStoreTests", dependencies: [
            "EdgeStore", "EdgeTLS", "EdgeAPI",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeTLSTests", dependencies: [
            "EdgeTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeRegistryTests", dependencies: ["EdgeTestSupport", "EdgeRegistry", "EdgeStore", "EdgeAPI"]),
        .testTarget(name: "EdgeAuthTests", dependencies: ["EdgeAuth", "EdgeRegistry", "EdgeStore", "EdgeAPI"]),
        .testTarget(name: "EdgeAPIServerTests", dependencies: [
            "EdgeAPIServer", "EdgeRegistry", "EdgeAuth", "EdgeTLS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeSchedulerTests", dependencies: ["EdgeTestSupport", "EdgeScheduler", "EdgeAgent", "EdgeInProcess", "EdgeControllers"]),
        .testTarget(name: "EdgeControllersTests", dependencies: ["EdgeTestSupport", "EdgeControllers", "EdgeAPIServer", "EdgeRegistry", "EdgeAuth", "EdgeStore", "EdgeInProcess", "EdgeTLS"]),
        .testTarget(name: "EdgeRuntimeTests", dependencies: ["EdgeRuntime", "CEdgeRuntime"]),
        .testTarget(name: "EdgeAgentTests", dependencies: [
            "EdgeTestSupport",
            "EdgeAgent", "EdgeClient", "EdgeInProcess", "EdgeTLS", "EdgeAPIServer", "EdgeRegistry", "EdgeAuth", "EdgeStore", "EdgeRuntime", "CZlib",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeImagesTests", dependencies: [
            "EdgeImages", "EdgeAPI", "EdgeTLS", "CZlib",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeNetTests", dependencies: [
            "EdgeTestSupport",
            "EdgeNet", "EdgeAPI", "EdgeClient", "EdgeInProcess", "EdgeAPIServer", "EdgeRegistry", "EdgeStore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "EdgeClientTests", dependencies: [
            "EdgeTestSupport",
            "EdgeClient", "EdgeAPIServer", "EdgeRegistry", "EdgeAuth", "EdgeStore", "EdgeInProcess", "EdgeTLS",
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
