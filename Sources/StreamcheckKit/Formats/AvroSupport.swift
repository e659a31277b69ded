import Avro
import Foundation
import TerraformIO

/// How produce and consume use Avro, the Schema Registry and JSON Schema. Operations call
/// these through the hooks `Operations.makeProduceFormat`, `makeConsumeFormat` and
/// `extraConsumeChecks`.
public enum AvroSupport {
    public static let registryURLSpec = ParameterSpec(
        "schema_registry_url", .url,
        help: "Confluent Schema Registry URL; credentials only from STREAMCHECK_SCHEMA_REGISTRY_USERNAME / STREAMCHECK_SCHEMA_REGISTRY_PASSWORD.")

    public static let produceParameters: [ParameterSpec] = [
        registryURLSpec,
        ParameterSpec("subject_name_strategy", .choice(SubjectNameStrategy.allCases.map(\.rawValue)),
                      help: "How the registry subject is named: <topic>-value, <record fullname> or <topic>-<record fullname> (default TopicNameStrategy)."),
        ParameterSpec("check_compatibility", .boolean,
                      help: "Ask the registry whether schema_file is compatible with the subject under its compatibility level (every version when *_TRANSITIVE) before producing (default false)."),
        ParameterSpec("auto_register_schemas", .boolean,
                      help: "Register schema_file under the subject (default true). false: only look it up, for read-only credentials; a refused registration (403) is looked up too."),
        ParameterSpec("registry_timeout", .duration(0.1...300), help: "Bound on each Schema Registry request (default 10s); 408, 429, 5xx and timeouts are retried with backoff for up to 30s."),
    ]

    public static let consumeParameters: [ParameterSpec] = [
        registryURLSpec,
        ParameterSpec("schema_file", .path,
                      help: "Adds check schema_compliance. Avro: a reader schema (.avsc) every message must be readable with. JSON: a JSON Schema every message must satisfy."),
        ParameterSpec("registry_timeout", .duration(0.1...300), help: "Bound on each Schema Registry request (default 10s); 408, 429, 5xx and timeouts are retried with backoff within the consume's timeout."),
    ]

    static func registry(_ url: String?, _ p: Parameters?) throws -> SchemaRegistryClient? {
        guard let url, !url.isEmpty else { return nil }
        // Retries stay inside the operation's own timeout when it has one.
        let operationTimeout = try p?.duration("timeout")
        return try SchemaRegistryClient(url: url, timeout: try p?.duration("registry_timeout") ?? 10, retryFor: operationTimeout ?? 30)
    }

    static func loadSchema(_ path: String, name: String) throws -> AvroSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("\(name) \(path): cannot read the file; check the path")
        }
        do { return try AvroSchema.parse(String(decoding: data, as: UTF8.self)) } catch let AvroError.invalidSchema(reason) {
            throw StreamcheckError("\(name) \(path) is not a valid Avro schema: \(reason); fix the .avsc file")
        }
    }

    // MARK: produce

    /// The Avro format for produce, or nil when data_format is not avro. Registers the schema
    /// (after a compatibility check when asked) when a registry is given.
    public static func makeProduceFormat(_ p: Parameters, seed: UInt64, topic: String) throws -> (MessageFormat, (String?, String?, Int?))? {
        guard p.string("data_format") == "avro" else {
            for key in ["schema_registry_url", "subject_name_strategy", "check_compatibility", "auto_register_schemas"] where p.has(key) {
                throw ParameterError("'\(p.name(key))' applies only with '\(p.name("data_format"))' avro")
            }
            return nil
        }
        guard let schemaPath = p.string("schema_file") else {
            throw ParameterError("'\(p.name("data_format"))' avro needs '\(p.name("schema_file"))': the writer schema (.avsc)")
        }
        let schema = try loadSchema(schemaPath, name: p.name("schema_file"))
        let records: AvroFormat.Records
        if let dataPath = p.string("data_file") {
            records = .dataFile(try AvroDataFile.load(path: dataPath, codec: AvroCodec(schema: schema), parameterName: p.name("data_file")))
        } else {
            records = .generator(AvroRecordGenerator(schema: schema, seed: seed))
        }
        guard let registry = try registry(p.string("schema_registry_url"), p) else {
            if try p.bool("check_compatibility") == true {
                throw ParameterError("'\(p.name("check_compatibility"))' needs '\(p.name("schema_registry_url"))'")
            }
            return (try AvroFormat(schema: schema, records: records, schemaId: nil, registry: nil), (nil, nil, nil))
        }
        let strategy = SubjectNameStrategy(rawValue: p.string("subject_name_strategy") ?? "TopicNameStrategy") ?? .topic
        let subject = try strategy.subject(topic: topic, recordFullName: schema.fullName)
        if try p.bool("check_compatibility") == true {
            let answer = try registry.checkCompatibility(subject: subject, schema: schema.text)
            if !answer.compatible {
                let why = answer.differences.isEmpty ? "" : ": " + answer.differences.prefix(5).joined(separator: "; ")
                let level = answer.level.map { " (\($0))" } ?? ""
                throw StreamcheckError("schema_file \(schemaPath) is not compatible with \(answer.against) of subject \(subject)\(level) in the Schema Registry\(why); nothing was produced")
            }
        }
        let id = try registry.idForProducing(subject: subject, schema: schema.text, register: try p.bool("auto_register_schemas") ?? true).id
        let format = try AvroFormat(schema: schema, records: records, schemaId: id, registry: registry)
        return (format, (registry.baseURL, subject, id))
    }

    // MARK: consume

    /// The format for consume when Avro or a JSON Schema is involved; nil leaves the default.
    public static func makeConsumeFormat(_ header: ManifestHeader, _ p: Parameters?) throws -> MessageFormat? {
        let schemaParameter = p?.string("schema_file")
        switch header.dataFormat {
        case "avro":
            return try makeAvroFormat(header: header, parameters: p)
        case "json":
            // Only when asked: the manifest's schema file may be a template, and the JSON
            // generator does not honour every keyword (pattern), so no implicit check.
            guard let path = schemaParameter else { return nil }
            let schema = try JSONSchema.load(path: path)
            let inner = try MessageFormats.make(header: header)
            return JSONSchemaCheckingFormat(inner: inner, schema: schema, schemaPath: path)
        default:
            return nil
        }
    }

    /// The Avro format a manifest describes: regenerates records (seed or data file), decodes
    /// by the registry the header names (or the consume parameter), and with a schema_file
    /// parameter also checks every message against it as reader schema.
    public static func makeAvroFormat(header: ManifestHeader, parameters p: Parameters?) throws -> AvroFormat {
        guard let schemaPath = header.schemaFile else {
            throw StreamcheckError("manifest for run \(header.runId) is Avro but names no schema file; produce it again with schema_file")
        }
        let schema = try loadSchema(schemaPath, name: "the manifest's schema file")
        let records: AvroFormat.Records
        if let dataPath = header.dataFile {
            records = .dataFile(try AvroDataFile.load(path: dataPath, codec: AvroCodec(schema: schema)))
        } else {
            records = .generator(AvroRecordGenerator(schema: schema, seed: header.seed))
        }
        let registry = try registry(p?.string("schema_registry_url") ?? header.registryURL, p)
        var reader: AvroSchema?
        let readerPath = p?.string("schema_file")
        if let readerPath { reader = try loadSchema(readerPath, name: p?.name("schema_file") ?? "schema_file") }
        return try AvroFormat(schema: schema, records: records, schemaId: header.schemaId, registry: registry,
                              readerSchema: reader, readerName: readerPath)
    }

    /// Adds check schema_compliance when the format checks schemas; always adds the result
    /// keys schema_id, subject and schema_violations (null when they do not apply).
    public static func schemaComplianceCheck(_ verifier: Verifier, _ p: Parameters) -> ([Check], [(String, JSONValue)]) {
        let header = verifier.manifest.header
        guard let reporting = verifier.format as? SchemaComplianceReporting else {
            return ([], [("schema_id", header.schemaId.map { .int(Int64($0)) } ?? .null),
                         ("subject", header.subject.map(JSONValue.string) ?? .null), ("schema_violations", .null)])
        }
        let tracker = reporting.compliance
        let ids = tracker.schemaIds.sorted()
        let check = Check(
            name: .schema_compliance, passed: tracker.violations == 0 && tracker.checked > 0,
            expected: tracker.expectation,
            found: tracker.checked == 0 ? "no message checked"
                : tracker.violations == 0 ? "all \(tracker.checked) checked messages comply"
                : "\(tracker.violations) of \(tracker.checked) violate: \(tracker.samples.joined(separator: "; "))")
        let schemaId: JSONValue = ids.count == 1 ? .int(Int64(ids[0])) : header.schemaId.map { .int(Int64($0)) } ?? .null
        var fields: [(String, JSONValue)] = [("schema_id", schemaId)]
        if ids.count > 1 { fields.append(("schema_ids_seen", .array(ids.map { .int(Int64($0)) }))) }
        fields.append(("subject", header.subject.map(JSONValue.string) ?? .null))
        fields.append(("schema_violations", .int(Int64(tracker.violations))))
        return ([check], fields)
    }
}
