import Avro
import Foundation
import TerraformIO

/// Avro messages. Produce side: records from the schema's generator or a data file, encoded
/// with the writer schema, Confluent-framed when a registry gave a schema id. Consume side:
/// each value is decoded with its writer schema (by the id in its framing, fetched from the
/// registry and cached; or the schema file when there is no registry), and checked for
/// schema compliance, also against a reader schema when one is given.
public final class AvroFormat: MessageFormat, SchemaComplianceReporting {
    public enum Records {
        case generator(AvroRecordGenerator)
        case dataFile([JSONValue])
    }

    public var name: String { "avro" }
    public let schema: AvroSchema
    public let schemaId: Int?
    let codec: AvroCodec
    let records: Records
    let registry: SchemaRegistryClient?
    let readerSchema: AvroSchema?
    let readerName: String?
    public let compliance: SchemaComplianceTracker
    private let lock = NSLock()
    /// Writer codec per schema id, and why the reader schema cannot read it (nil = it can).
    private var writers: [Int: (codec: AvroCodec, readerProblem: String?, resolved: AvroCodec?)] = [:]
    private var plainWriter: (codec: AvroCodec, readerProblem: String?, resolved: AvroCodec?)?

    public init(schema: AvroSchema, records: Records, schemaId: Int?, registry: SchemaRegistryClient?,
                readerSchema: AvroSchema? = nil, readerName: String? = nil) throws {
        self.schema = schema
        self.records = records
        self.schemaId = schemaId
        self.registry = registry
        self.readerSchema = readerSchema
        self.readerName = readerName
        codec = try AvroCodec(schema: schema)
        var expectation = "every message valid under its writer schema"
        if registry != nil { expectation += " (Confluent framing, schema fetched by id)" }
        if let readerName { expectation += " and readable with \(readerName) as reader schema" }
        compliance = SchemaComplianceTracker(expectation: expectation)
    }

    public func record(at seq: Int) throws -> JSONValue {
        switch records {
        case let .generator(g): return g.record(at: seq)
        case let .dataFile(lines):
            guard seq >= 0, seq < lines.count else { throw StreamcheckError("data_file has no record \(seq) (it holds \(lines.count))") }
            return lines[seq]
        }
    }

    public func encode(_ record: JSONValue) throws -> [UInt8] {
        let payload = try codec.encode(record)
        guard let schemaId else { return payload }
        return ConfluentFraming.frame(schemaId: schemaId, payload: payload)
    }

    public func decode(_ value: [UInt8]) throws -> JSONValue {
        var id: Int?
        do {
            let payload: [UInt8]
            let writer: (codec: AvroCodec, readerProblem: String?, resolved: AvroCodec?)
            if registry != nil {
                guard let framed = ConfluentFraming.unframe(value) else {
                    throw FormatError.schemaViolation("not in Confluent framing (magic byte 0 and a 4-byte schema id)")
                }
                id = framed.schemaId
                payload = framed.payload
                writer = try writerCodec(id: framed.schemaId)
            } else {
                payload = value
                writer = try plainWriterCodec()
            }
            let record: JSONValue
            do { record = try writer.codec.decode(payload) } catch {
                throw FormatError.schemaViolation("\(id.map { "schema id \($0): " } ?? "")\(error)")
            }
            // The digest is taken on the writer's view (what produce sent); the reader schema
            // only has to be able to read it.
            if let problem = writer.readerProblem {
                compliance.violated("\(id.map { "schema id \($0)" } ?? "writer schema") cannot be read with \(readerName ?? "the reader schema"): \(problem)", schemaId: id)
            } else if let resolved = writer.resolved {
                do {
                    _ = try resolved.decode(payload)
                    compliance.passed(schemaId: id)
                } catch {
                    compliance.violated("not readable with \(readerName ?? "the reader schema"): \(error)", schemaId: id)
                }
            } else {
                compliance.passed(schemaId: id)
            }
            return record
        } catch let error as FormatError {
            compliance.violated("\(error)", schemaId: id)
            throw error
        }
    }

    private func withReader(_ codec: AvroCodec) -> (AvroCodec, String?, AvroCodec?) {
        guard let readerSchema else { return (codec, nil, nil) }
        if let problem = readerSchema.cannotRead(writtenWith: codec.writer) { return (codec, problem, nil) }
        return (codec, nil, try? AvroCodec(writer: codec.writer, reader: readerSchema))
    }

    private func plainWriterCodec() throws -> (codec: AvroCodec, readerProblem: String?, resolved: AvroCodec?) {
        lock.lock(); defer { lock.unlock() }
        if let plainWriter { return plainWriter }
        let made = withReader(codec)
        plainWriter = made
        return made
    }

    private func writerCodec(id: Int) throws -> (codec: AvroCodec, readerProblem: String?, resolved: AvroCodec?) {
        lock.lock()
        if let known = writers[id] { lock.unlock(); return known }
        lock.unlock()
        guard let registry else { throw FormatError.undecodable("no registry to fetch schema id \(id)") }
        let registered: SchemaRegistryClient.RegisteredSchema
        do { registered = try registry.schema(id: id) } catch let error as SchemaRegistryError where error.errorCode == 40403 {
            throw FormatError.schemaViolation("schema id \(id) is not in the registry")
        }
        // Any other registry failure is not the data's: it propagates and stops the consume.
        guard registered.schemaType == "AVRO" else {
            throw FormatError.schemaViolation("schema id \(id) is a \(registered.schemaType) schema in the registry, not an Avro schema")
        }
        let writerSchema: AvroSchema
        do { writerSchema = try AvroSchema.parse(registered.text) } catch {
            throw FormatError.schemaViolation("schema id \(id) from the registry is not usable: \(error)")
        }
        let made = withReader(try AvroCodec(schema: writerSchema))
        lock.lock()
        writers[id] = made
        lock.unlock()
        return made
    }
}
