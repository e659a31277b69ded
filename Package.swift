// swift-tools-version: 6.0
import PackageDescription

// Layers, from the bottom up:
//   C*               system libraries from Debian, found with pkg-config (nothing vendored)
//   Kafka, Avro,     the only modules that call librdkafka, Avro C, libcurl and libpq;
//   Curl, Postgres   no C type escapes them
//   TerraformIO      parameters, typed results and the external-data-source protocol (pure)
//   StreamcheckKit   the operations: plain functions that take a request and return a result
//   streamcheck      the CLI: one file per command, a thin shell over StreamcheckKit
let package = Package(
    name: "streamcheck",
    products: [
        .executable(name: "streamcheck", targets: ["streamcheck"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CAvro", pkgConfig: "avro-c", providers: [.apt(["libavro-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CPostgres", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        .target(name: "Avro", dependencies: ["CAvro", "TerraformIO"]),
        .target(name: "Curl", dependencies: ["CCurl"]),
        .target(name: "Postgres", dependencies: ["CPostgres"]),

        .target(name: "TerraformIO"),
        .target(
            name: "StreamcheckKit",
            dependencies: [
                "Kafka", "Avro", "Curl", "Postgres", "TerraformIO",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "streamcheck",
            dependencies: [
                "StreamcheckKit", "TerraformIO", "Kafka",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Coverage-guided fuzzers of the user-facing parsers (scripts/fuzz builds them with libFuzzer).
        .executableTarget(name: "streamcheck-fuzz", dependencies: ["Avro", "TerraformIO"], path: "Fuzz/Fuzzers"),

        .testTarget(name: "TerraformIOTests", dependencies: ["TerraformIO"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "StreamcheckKitTests", dependencies: ["StreamcheckKit", "Kafka", "TerraformIO"]),
        .testTarget(name: "ReportsTests", dependencies: ["StreamcheckKit", "TerraformIO"]),
        .testTarget(name: "AvroTests", dependencies: ["Avro", "TerraformIO"]),
        .testTarget(name: "SchemaTests", dependencies: ["StreamcheckKit", "Avro", "TerraformIO"]),
        .testTarget(name: "SinksTests", dependencies: ["StreamcheckKit", "Curl", "Postgres", "TerraformIO"]),
        .testTarget(name: "ConnectTests", dependencies: ["StreamcheckKit", "Curl", "TerraformIO"]),
    ],
    swiftLanguageModes: [.v5]
)
