import Avro
import Curl
import Foundation
import TerraformIO

/// Where S3 is and who we are: endpoint override (parameter or STREAMCHECK_S3_ENDPOINT),
/// region, and credentials from the standard AWS environment variables only.
enum S3Settings {
    static let endpointVariable = "STREAMCHECK_S3_ENDPOINT"

    static let parameters: [ParameterSpec] = [
        ParameterSpec("bucket", .string, required: true, help: "The S3 bucket."),
        ParameterSpec("s3_endpoint", .url, help: "An S3-compatible endpoint (moto, MinIO...), addressed path-style (default: $STREAMCHECK_S3_ENDPOINT, else AWS)."),
        ParameterSpec("region", .string, help: "The AWS region used for signing (default: $AWS_REGION, $AWS_DEFAULT_REGION, else us-east-1)."),
    ]

    static func client(_ p: Parameters, requestTimeout: Double) throws -> S3Client {
        let env = try SecretEnvironment.current()
        let endpoint = p.string("s3_endpoint") ?? env[endpointVariable]
        let origin = p.has("s3_endpoint") ? p.name("s3_endpoint") : endpointVariable
        // The same rule for the variable as for the flag; the value is never echoed.
        if let endpoint, let problem = Parameters.urlProblem(endpoint) {
            throw StreamcheckError("invalid S3 endpoint from \(origin): \(problem)")
        }
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw StreamcheckError("S3 endpoint '\(endpoint)' must start with http:// or https:// (from \(origin))")
        }
        let region = p.string("region") ?? env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let credentials: S3Credentials
        do { credentials = try S3Credentials.fromEnvironment(env) } catch let error as S3Error {
            throw StreamcheckError(error.message)
        }
        return S3Client(endpoint: endpoint, region: region, credentials: credentials,
                        requestTimeout: max(1, requestTimeout), connectTimeout: min(10, max(1, requestTimeout)))
    }

    static func bucket(_ p: Parameters) throws -> String {
        let bucket = try p.requiredString("bucket")
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw StreamcheckError("invalid bucket name '\(bucket)' for '\(p.name("bucket"))': 3 to 63 lowercase letters, digits, '-' or '.'")
        }
        return bucket
    }
}

/// How the records inside one sink object are read back.
public enum SinkObjectDecoder {
    public static let avroMagic: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]

    public enum Line {
        case record(JSONValue, location: String)
        case undecodable(location: String, reason: String)
    }

    /// `format`: "auto" (Avro by magic bytes, else JSON lines), "json" or "avro".
    public static func decode(_ bytes: [UInt8], location: String, format: String) throws -> [Line] {
        let isAvro = format == "avro" || (format == "auto" && bytes.starts(with: avroMagic))
        if isAvro {
            do {
                return try readAvroContainer(bytes).enumerated().map { .record($1, location: "\(location) record \($0 + 1)") }
            } catch {
                return [.undecodable(location: location, reason: "not a readable Avro object container file: \(error)")]
            }
        }
        return jsonLines(bytes, location: location)
    }

    /// Avro object container files, as S3 sink connectors write them with AvroFormat. Avro C
    /// reads container files from a path, so the object goes through a private temporary file.
    static func readAvroContainer(_ bytes: [UInt8]) throws -> [JSONValue] {
        let path = NSTemporaryDirectory() + "/streamcheck-sink-\(UUID().uuidString).avro"
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw StreamcheckError("cannot write a temporary file in \(NSTemporaryDirectory()) to read an Avro object")
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try AvroFileReader(path: path).readAll()
    }

    static func jsonLines(_ bytes: [UInt8], location: String) -> [Line] {
        var lines: [Line] = []
        var lineNumber = 0
        for slice in bytes.split(separator: 10, omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = Array(slice)
            if line.last == 13 { line.removeLast() }
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let where_ = "\(location) line \(lineNumber)"
            do {
                lines.append(.record(try JSONValue.parse(bytes: line), location: where_))
            } catch {
                lines.append(.undecodable(location: where_, reason: "not JSON: \(error)"))
            }
        }
        return lines
    }
}

extension Operations {
    public static let verifySinkS3 = OperationDefinition(
        words: ["verify-sink", "s3"],
        summary: "Compare the objects under an S3 bucket prefix (JSON lines or Avro container files) with a manifest: count, key or digest set, field values, duplicates.",
        parameters: [SinkParameters.manifest] + S3Settings.parameters + [
            ParameterSpec("prefix", .string, help: "Only objects whose key starts with this prefix (default: the whole bucket)."),
            ParameterSpec("format", .choice(["auto", "json", "avro"]), help: "How objects hold records: JSON lines, or Avro object container files (default auto: Avro by the file's magic bytes, else JSON lines)."),
            ParameterSpec("key_field", .string, help: "Pair records by this field (after transforms) instead of by content digest; mismatches then name the key."),
            ParameterSpec("run_id_field", .string, help: "A record field holding the run id: records of other runs are counted as foreign and otherwise ignored."),
        ] + SinkParameters.comparing
    ) { p in try S3SinkVerifier.run(p) }
}

enum S3SinkVerifier {
    static func run(_ p: Parameters) throws -> OperationOutcome {
        let deadline = Deadline(seconds: try p.duration("timeout") ?? 60)
        let waitForComplete = try p.bool("wait_for_complete") ?? true
        let pollInterval = try p.duration("poll_interval") ?? 1
        let bucket = try S3Settings.bucket(p)
        let prefix = p.string("prefix") ?? ""
        let format = p.string("format") ?? "auto"
        let runIdField = p.string("run_id_field")
        let ignored = Set(p.list("ignore_fields") + (runIdField.map { [$0] } ?? []))
        var client = try S3Settings.client(p, requestTimeout: min(30, deadline.seconds))
        let guarantee = try DeliveryGuarantee.from(p)
        let expectation = try SinkExpectation.load(manifestPath: try p.requiredString("manifest"), transforms: try SinkParameters.transformChain(p))
        let runId = expectation.manifest.header.runId
        if let keyField = p.string("key_field"), let clash = SinkComparison.nonUniqueKey(expectation.records, field: keyField) {
            throw StreamcheckError("key field '\(keyField)' is not unique in the manifest's records (seq \(clash.first) and \(clash.second) both have '\(clash.key)'); pick a field that identifies each record, or leave '\(p.name("key_field"))' out to pair by content")
        }

        // Objects already read, by key and ETag: a sink that is still filling adds objects;
        // one that rewrites an object changes its ETag.
        var decoded: [String: (eTag: String, lines: [SinkObjectDecoder.Line])] = [:]
        var polls = 0
        var objectCount = 0
        var complete = false
        while true {
            polls += 1
            // Each request gets what is left of the bound (at least a second to answer at all).
            client.requestTimeout = max(1, min(30, deadline.remaining))
            let objects: [S3Object]
            do {
                objects = try client.listObjects(bucket: bucket, prefix: prefix)
            } catch let error as S3Error {
                if error.code == "NoSuchBucket" {
                    throw StreamcheckError("bucket '\(bucket)' does not exist at \(client.endpointDescription); check '\(p.name("bucket"))' and the endpoint")
                }
                throw StreamcheckError(error.message)
            }
            objectCount = objects.count
            let current = Set(objects.map(\.key))
            decoded = decoded.filter { current.contains($0.key) }
            for object in objects where decoded[object.key]?.eTag != object.eTag {
                let body: [UInt8]
                do { body = try client.getObject(bucket: bucket, key: object.key) } catch let error as S3Error {
                    if error.code == "NoSuchKey" { continue }  // deleted between list and get
                    throw StreamcheckError(error.message)
                }
                decoded[object.key] = (object.eTag, try SinkObjectDecoder.decode(body, location: "s3://\(bucket)/\(object.key)", format: format))
            }
            let recordsOfRun = decoded.values.reduce(0) { total, object in
                total + object.lines.filter { line in
                    guard case let .record(record, _) = line else { return false }
                    return runIdField.map { FieldMatch.keyText(record[$0] ?? .null) == runId } ?? true
                }.count
            }
            complete = recordsOfRun >= expectation.records.count
            if complete || !waitForComplete || deadline.remaining <= 0 { break }
            SinkPolling.sleep(seconds: min(pollInterval, deadline.remaining))
        }

        var found: [FoundRecord] = []
        var undecodable: [(String, String)] = []
        var foreign = 0
        for key in decoded.keys.sorted() {
            for line in decoded[key]!.lines {
                switch line {
                case let .record(record, location):
                    if let runIdField, FieldMatch.keyText(record[runIdField] ?? .null) != runId {
                        foreign += 1
                    } else {
                        found.append(FoundRecord(record: record, location: location))
                    }
                case let .undecodable(location, reason):
                    undecodable.append((location, reason))
                }
            }
        }
        let pairing: RecordPairing = p.string("key_field").map { .key(field: $0) } ?? .digest
        let comparison = SinkComparison.compare(expected: expectation.records, found: found, pairing: pairing,
                                                strictFields: true, ignoredFields: ignored)
        let decodable = Check(name: .decodable, passed: undecodable.isEmpty, expected: "0 undecodable records",
                              found: "\(undecodable.count) undecodable records")
        return SinkParameters.outcome(
            operation: "verify-sink s3", target: "s3://\(bucket)/\(prefix)", comparison: comparison, extraChecks: [decodable],
            countName: .record_count, rowsName: "records", guarantee: guarantee,
            leading: [("bucket", .string(bucket)), ("prefix", .string(prefix)), ("run_id", .string(runId))],
            trailing: [
                ("foreign", .int(foreign)), ("undecodable", .int(undecodable.count)), ("objects", .int(objectCount)),
                ("undecodable_samples", .array(undecodable.prefix(SinkComparison.maxSamples).map {
                    .object([("location", .string($0.0)), ("reason", .string($0.1))])
                })),
                ("pairing", .string(p.has("key_field") ? "key" : "digest")),
                ("complete", .bool(complete)), ("polls", .int(polls)), ("waited_ms", .int(deadline.elapsedMs)),
            ])
    }
}
