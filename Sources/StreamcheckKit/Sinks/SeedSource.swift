import Curl
import Foundation
import TerraformIO

extension Operations {
    public static let seedSourceS3 = OperationDefinition(
        words: ["seed-source", "s3"],
        summary: "Write test objects (JSON lines) under an S3 prefix for a source connector to pick up, and the manifest that consume checks against.",
        parameters: S3Settings.parameters + [
            ParameterSpec("manifest", .path, required: true, help: "Where to write the manifest (written only once every object is in S3)."),
            ParameterSpec("prefix", .string, help: "Key prefix for the objects (default: streamcheck/<run id>/)."),
            ParameterSpec("message_count", .integer(1...10_000_000), help: "Records in all (with records_per_object or object_count)."),
            ParameterSpec("object_count", .integer(1...100_000), help: "Objects to write."),
            ParameterSpec("records_per_object", .integer(1...1_000_000), help: "Records per object (default 100 when only message_count is given)."),
            ParameterSpec("seed", .integer(0...Int64.max), help: "Seed of the record generator; the same seed regenerates the same records (default: random, recorded in the manifest)."),
            ParameterSpec("data_file", .path, help: "Take records from this JSON lines file instead of the generator."),
            ParameterSpec("schema_file", .path, help: "Schema the generator follows (as for produce)."),
            ParameterSpec("topic", .topic, help: "The topic the source connector writes to, recorded in the manifest for consume."),
            ParameterSpec("run_id", .string, help: "Run id recorded in the manifest (default: a new one)."),
            ParameterSpec("create_bucket", .boolean, help: "Create the bucket first if it does not exist (default false)."),
            ParameterSpec("timeout", .duration(0.1...86_400), help: "Bound for each S3 request (default 30s)."),
        ]
    ) { p in try S3Seeder.run(p) }
}

/// How many objects and records: any two of message_count, object_count, records_per_object.
public struct SeedLayout: Equatable, Sendable {
    public let messageCount: Int
    public let recordsPerObject: Int
    public var objectCount: Int { (messageCount + recordsPerObject - 1) / recordsPerObject }

    public static func resolve(messageCount: Int?, objectCount: Int?, recordsPerObject: Int?) throws -> SeedLayout {
        switch (messageCount, objectCount, recordsPerObject) {
        case let (m?, nil, r):
            return SeedLayout(messageCount: m, recordsPerObject: r ?? min(m, 100))
        case let (m?, o?, nil):
            guard o <= m else { throw StreamcheckError("object_count (\(o)) is larger than message_count (\(m)): every object needs at least one record") }
            return SeedLayout(messageCount: m, recordsPerObject: (m + o - 1) / o)
        case let (nil, o?, r?):
            return SeedLayout(messageCount: o * r, recordsPerObject: r)
        case let (m?, o?, r?):
            guard (m + r - 1) / r == o else {
                throw StreamcheckError("message_count \(m), object_count \(o) and records_per_object \(r) disagree; give any two of them")
            }
            return SeedLayout(messageCount: m, recordsPerObject: r)
        default:
            throw StreamcheckError("say how many records to write: message_count, or object_count with records_per_object")
        }
    }

    public func range(ofObject index: Int) -> Range<Int> {
        (index * recordsPerObject)..<min(messageCount, (index + 1) * recordsPerObject)
    }
}

enum S3Seeder {
    static func run(_ p: Parameters) throws -> OperationOutcome {
        let layout = try SeedLayout.resolve(messageCount: try p.int("message_count"), objectCount: try p.int("object_count"),
                                            recordsPerObject: try p.int("records_per_object"))
        let bucket = try S3Settings.bucket(p)
        let client = try S3Settings.client(p, requestTimeout: try p.duration("timeout") ?? 30)
        let manifestPath = try p.requiredString("manifest")
        let runId = p.string("run_id") ?? newRunId()
        var prefix = p.string("prefix") ?? "streamcheck/\(runId)/"
        if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
        let seed = try p.int("seed").map { UInt64($0) } ?? UInt64.random(in: 0...UInt64(Int64.max))
        if let dataFile = p.string("data_file"), !FileManager.default.isReadableFile(atPath: dataFile) {
            throw StreamcheckError("cannot read data file '\(dataFile)' ('\(p.name("data_file"))')")
        }
        let startedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
        let header = ManifestHeader(
            runId: runId, topic: p.string("topic") ?? "", dataFormat: "json", messageCount: layout.messageCount, seed: seed,
            keyStrategy: "none", schemaFile: p.string("schema_file").map(absolute), dataFile: p.string("data_file").map(absolute), startedAtMs: startedAtMs,
            extra: [
                (SinkExpectation.originKey, .string("\(SinkExpectation.seedSourceOrigin) s3")),
                ("bucket", .string(bucket)), ("prefix", .string(prefix)), ("objects", .int(layout.objectCount)),
                ("records_per_object", .int(layout.recordsPerObject)),
            ])
        let format = try MessageFormats.make(header: header)

        if try p.bool("create_bucket") ?? false {
            do { try client.createBucket(bucket: bucket) } catch let error as S3Error { throw StreamcheckError(error.message) }
        }
        var entries: [ManifestEntry] = []
        entries.reserveCapacity(layout.messageCount)
        var keys: [String] = []
        for index in 0..<layout.objectCount {
            var body: [UInt8] = []
            var objectEntries: [ManifestEntry] = []
            for seq in layout.range(ofObject: index) {
                let record = try format.record(at: seq)
                body += Array(record.encoded().utf8)
                body.append(10)
                objectEntries.append(ManifestEntry(partition: ManifestEntry.notThroughKafka, offset: ManifestEntry.unknownOffset, keyHash: ContentDigest.keyHash(nil),
                                                   digest: ContentDigest.of(record: record), producedAt: 0))
            }
            let key = prefix + "part-" + String(format: "%06d", index) + ".jsonl"
            do {
                try client.putObject(bucket: bucket, key: key, body: body, contentType: "application/x-ndjson")
            } catch let error as S3Error {
                var message = error.message
                if error.code == "NoSuchBucket" { message = "bucket '\(bucket)' does not exist at \(client.endpointDescription); create it or pass \(p.name("create_bucket"))" }
                throw StreamcheckError("\(message) (\(index) of \(layout.objectCount) objects were written under s3://\(bucket)/\(prefix); no manifest written)")
            }
            // producedAt: 100 µs units after the header's start, when the object was stored.
            let producedAt = UInt32(clamping: max(0, (Int64(Date().timeIntervalSince1970 * 1_000_000) - startedAtMs * 1000) / 100))
            entries += objectEntries.map { var e = $0; e.producedAt = producedAt; return e }
            keys.append(key)
        }
        do { try Manifest(header: header, entries: entries).write(to: manifestPath) } catch {
            throw StreamcheckError("objects written, but the manifest could not be written to '\(manifestPath)': \(error)")
        }
        let result = JSONValue.object([
            ("run_id", .string(runId)), ("bucket", .string(bucket)), ("prefix", .string(prefix)),
            ("objects", .int(keys.count)), ("records", .int(layout.messageCount)), ("records_per_object", .int(layout.recordsPerObject)),
            ("seed", .string(String(seed))), ("manifest", .string(manifestPath)),
            ("first_key", .string(keys.first ?? "")), ("last_key", .string(keys.last ?? "")),
        ])
        return OperationOutcome(result: result, summary: "seed-source s3: wrote \(layout.messageCount) records in \(keys.count) objects under s3://\(bucket)/\(prefix); manifest \(manifestPath)")
    }

    /// The manifest is read from other directories (Terraform modules, CI jobs): store full paths.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    static func newRunId() -> String {
        let random = UInt64.random(in: 0...UInt64.max)
        let text = String(random, radix: 16)
        return "seed-" + String(repeating: "0", count: 16 - text.count) + text
    }
}
