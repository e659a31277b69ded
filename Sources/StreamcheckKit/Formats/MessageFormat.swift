import TerraformIO

/// How test records become Kafka message values and back. JSON is built in; Avro plugs in here.
public protocol MessageFormat {
    var name: String { get }
    /// The record for message `seq`: deterministic, so sinks can be checked field by field later.
    func record(at seq: Int) throws -> JSONValue
    /// The Kafka message value for a record.
    func encode(_ record: JSONValue) throws -> [UInt8]
    /// The record carried by a received value. Throws FormatError.
    func decode(_ value: [UInt8]) throws -> JSONValue
    /// The content digest of a received value (see ContentDigest), or FormatError.
    func digest(of value: [UInt8]) throws -> UInt64
    /// The value to send and its content digest.
    func encodeWithDigest(_ record: JSONValue) throws -> (value: [UInt8], digest: UInt64)
    /// Message `seq`'s value written into `value` (a buffer reused between messages) and its
    /// digest; the record too when it had to be built (nil when the format rendered the bytes
    /// without one).
    func encode(seq: Int, into value: inout [UInt8]) throws -> (digest: UInt64, record: JSONValue?)
}

extension MessageFormat {
    public func digest(of value: [UInt8]) throws -> UInt64 {
        ContentDigest.of(record: try decode(value))
    }

    /// The value to send and its content digest. Formats whose encoding is the canonical form
    /// override this to hash once.
    public func encodeWithDigest(_ record: JSONValue) throws -> (value: [UInt8], digest: UInt64) {
        (try encode(record), ContentDigest.of(record: record))
    }

    public func encode(seq: Int, into value: inout [UInt8]) throws -> (digest: UInt64, record: JSONValue?) {
        let record = try record(at: seq)
        let (bytes, digest) = try encodeWithDigest(record)
        value = bytes
        return (digest, record)
    }
}

public enum FormatError: Error, CustomStringConvertible {
    case undecodable(String)
    case schemaViolation(String)

    public var description: String {
        switch self {
        case let .undecodable(reason): return "undecodable: \(reason)"
        case let .schemaViolation(reason): return "schema violation: \(reason)"
        }
    }
}

/// Where records come from: a generator (random access by seq) or a data file.
public protocol RecordGenerator {
    func record(at seq: Int) -> JSONValue
}

public enum MessageFormats {
    /// The format a manifest was produced with, for consumers and sink checks.
    public static func make(header: ManifestHeader) throws -> MessageFormat {
        switch header.dataFormat {
        case "json":
            return JSONFormat(source: try RecordSources.make(schemaFile: header.schemaFile, dataFile: header.dataFile, seed: header.seed))
        case "avro":
            return try AvroSupport.makeAvroFormat(header: header, parameters: nil)
        default:
            throw StreamcheckError("manifest for run \(header.runId) uses data format '\(header.dataFormat)', which this build cannot read")
        }
    }
}

public enum RecordSources {
    /// A data file wins over a schema file; neither gives the built-in user-event shape.
    public static func make(schemaFile: String?, dataFile: String?, seed: UInt64) throws -> RecordSource {
        if let dataFile { return .dataFile(try DataFileRecords(path: dataFile)) }
        if let schemaFile { return .generator(try JSONTemplateGenerator.load(path: schemaFile, seed: seed)) }
        return .generator(UserEventGenerator(seed: seed))
    }
}

public enum RecordSource {
    case generator(RecordGenerator)
    case dataFile(DataFileRecords)

    public func record(at seq: Int) throws -> JSONValue {
        switch self {
        case let .generator(g): return g.record(at: seq)
        case let .dataFile(d): return try d.record(at: seq)
        }
    }

    /// How many records the source holds; nil for generators (unbounded).
    public var count: Int? {
        if case let .dataFile(d) = self { return d.count }
        return nil
    }
}

/// JSON messages: the value is the record's canonical JSON, so the digest of the bytes as
/// sent equals the content digest, and a consumer can skip parsing when the bytes match.
public struct JSONFormat: MessageFormat {
    public let source: RecordSource
    public var name: String { "json" }

    public init(source: RecordSource) { self.source = source }

    public func record(at seq: Int) throws -> JSONValue { try source.record(at: seq) }

    public func encode(_ record: JSONValue) throws -> [UInt8] {
        ContentDigest.canonicalBytes(record)
    }

    public func encodeWithDigest(_ record: JSONValue) throws -> (value: [UInt8], digest: UInt64) {
        let bytes = ContentDigest.canonicalBytes(record)
        return (bytes, ContentDigest.fnv1a64(bytes))
    }

    /// The built-in user event is rendered straight to canonical bytes (produce's hot path);
    /// other sources build the record first.
    public func encode(seq: Int, into value: inout [UInt8]) throws -> (digest: UInt64, record: JSONValue?) {
        if case let .generator(generator) = source, let userEvent = generator as? UserEventGenerator {
            value.removeAll(keepingCapacity: true)
            userEvent.renderCanonical(seq: seq, into: &value)
            return (ContentDigest.fnv1a64(value), nil)
        }
        let record = try record(at: seq)
        value.removeAll(keepingCapacity: true)
        ContentDigest.writeCanonical(record, to: &value)
        return (ContentDigest.fnv1a64(value), record)
    }

    public func decode(_ value: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(bytes: value) } catch {
            throw FormatError.undecodable("not JSON (\(error))")
        }
    }

    public func digest(of value: [UInt8]) throws -> UInt64 {
        // A value re-serialised by a connector (other key order, spaces) still matches,
        // because the digest is taken on the canonical form of what it decodes to.
        ContentDigest.of(record: try decode(value))
    }
}
