// TEMPORARY: a minimal copy of the core interfaces the lead is adding on main
// (ContentDigest, Manifest, MessageFormat, RecordGenerator), written to the names in
// COMMON.md so the sinks code builds before the core lands. DELETE THIS FILE when merging
// main; the sinks code uses only the names below.
import Foundation
import TerraformIO

public enum ContentDigest {
    public static func of(record: JSONValue) -> UInt64 { fnv1a64(Array(canonicalJSON(record).utf8)) }

    public static func canonicalJSON(_ value: JSONValue) -> String {
        switch value {
        case let .object(members):
            let sorted = members.sorted { Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
            var out = "{"
            for (i, (k, v)) in sorted.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(k, to: &out)
                out += ":" + canonicalJSON(v)
            }
            return out + "}"
        case let .array(items): return "[" + items.map(canonicalJSON).joined(separator: ",") + "]"
        case let .double(d) where d == d.rounded() && abs(d) < 9.0e15: return String(Int64(d))
        case let .double(d): return "\(d)"
        default: return value.encoded()
        }
    }

    public static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return hash
    }

    public static func keyHash(_ key: [UInt8]?) -> UInt64 { key.map(fnv1a64) ?? 0 }
}

public struct ManifestEntry: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
    public var keyHash: UInt64
    public var digest: UInt64
    public var producedAt: UInt32
    public init(partition: Int32, offset: Int64, keyHash: UInt64, digest: UInt64, producedAt: UInt32) {
        self.partition = partition; self.offset = offset; self.keyHash = keyHash; self.digest = digest; self.producedAt = producedAt
    }
}

public struct ManifestHeader: Sendable {
    public var runId: String
    public var topic: String
    public var dataFormat: String
    public var messageCount: Int
    public var seed: UInt64
    public var keyStrategy: String
    public var schemaFile: String?
    public var dataFile: String?
    public var registryURL: String?
    public var subject: String?
    public var schemaId: Int?
    public var startedAtMs: Int64
    public var extra: [(String, JSONValue)]
    public init(runId: String, topic: String, dataFormat: String, messageCount: Int, seed: UInt64, keyStrategy: String,
                schemaFile: String? = nil, dataFile: String? = nil, registryURL: String? = nil, subject: String? = nil,
                schemaId: Int? = nil, startedAtMs: Int64, extra: [(String, JSONValue)] = []) {
        self.runId = runId; self.topic = topic; self.dataFormat = dataFormat; self.messageCount = messageCount
        self.seed = seed; self.keyStrategy = keyStrategy; self.schemaFile = schemaFile; self.dataFile = dataFile
        self.registryURL = registryURL; self.subject = subject; self.schemaId = schemaId; self.startedAtMs = startedAtMs
        self.extra = extra
    }
}

public struct Manifest: Sendable {
    public var header: ManifestHeader
    public var entries: [ManifestEntry]
    public init(header: ManifestHeader, entries: [ManifestEntry]) { self.header = header; self.entries = entries }

    public static func read(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw StreamcheckError("cannot read manifest '\(path)'") }
        let bytes = [UInt8](data)
        guard let nl = bytes.firstIndex(of: 10) else { throw StreamcheckError("manifest '\(path)' has no header line") }
        let h = try JSONValue.parse(bytes: Array(bytes[..<nl]))
        let header = ManifestHeader(
            runId: h["run_id"]?.stringValue ?? "", topic: h["topic"]?.stringValue ?? "",
            dataFormat: h["data_format"]?.stringValue ?? "json", messageCount: Int(h["message_count"]?.int64Value ?? 0),
            seed: UInt64(h["seed"]?.stringValue ?? "0") ?? 0, keyStrategy: h["key_strategy"]?.stringValue ?? "none",
            schemaFile: h["schema_file"]?.stringValue, dataFile: h["data_file"]?.stringValue,
            startedAtMs: h["started_at_ms"]?.int64Value ?? 0, extra: h["extra"]?.objectValue ?? [])
        var entries: [ManifestEntry] = []
        var i = nl + 1
        func load<T: FixedWidthInteger>(_ at: Int, _: T.Type) -> T {
            var v: T = 0
            for k in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[at + k]) << (8 * k) }
            return v
        }
        while i + 32 <= bytes.count {
            entries.append(ManifestEntry(partition: load(i, Int32.self), offset: load(i + 4, Int64.self), keyHash: load(i + 12, UInt64.self),
                                         digest: load(i + 20, UInt64.self), producedAt: load(i + 28, UInt32.self)))
            i += 32
        }
        return Manifest(header: header, entries: entries)
    }

    public func write(path: String) throws {
        var h: [(String, JSONValue)] = [
            ("run_id", .string(header.runId)), ("topic", .string(header.topic)), ("data_format", .string(header.dataFormat)),
            ("message_count", .int(header.messageCount)), ("seed", .string(String(header.seed))),
            ("key_strategy", .string(header.keyStrategy)), ("started_at_ms", .int(header.startedAtMs)),
        ]
        if let f = header.schemaFile { h.append(("schema_file", .string(f))) }
        if let f = header.dataFile { h.append(("data_file", .string(f))) }
        h.append(("extra", .object(header.extra)))
        var bytes = Array((JSONValue.object(h).encoded() + "\n").utf8)
        func store<T: FixedWidthInteger>(_ v: T) { for k in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * k))) } }
        for e in entries { store(e.partition); store(e.offset); store(e.keyHash); store(e.digest); store(e.producedAt) }
        try AtomicFile.write(bytes, to: path)
    }
}

public protocol MessageFormat {
    var name: String { get }
    func record(at seq: Int) throws -> JSONValue
    func encode(_ record: JSONValue) throws -> [UInt8]
    func decode(_ value: [UInt8]) throws -> JSONValue
}

public enum FormatError: Error { case undecodable(String), schemaViolation(String) }

public struct RecordGenerator: Sendable {
    let seed: UInt64
    public init(seed: UInt64) { self.seed = seed }
    public func record(at seq: Int) -> JSONValue {
        var x = seed &+ UInt64(seq) &* 0x9e37_79b9_7f4a_7c15
        x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
        x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
        x ^= x >> 31
        return .object([("id", .int(seq)), ("user", .string("user-\(x % 1000)")), ("amount", .double(Double(x % 100_000) / 100)),
                        ("active", .bool(x & 1 == 1))])
    }
}

public struct JSONFormat: MessageFormat {
    let records: (Int) throws -> JSONValue
    public var name: String { "json" }
    public func record(at seq: Int) throws -> JSONValue { try records(seq) }
    public func encode(_ record: JSONValue) throws -> [UInt8] { Array(record.encoded().utf8) }
    public func decode(_ value: [UInt8]) throws -> JSONValue {
        do { return try JSONValue.parse(bytes: value) } catch { throw FormatError.undecodable("\(error)") }
    }
}

public enum MessageFormats {
    public static func make(header: ManifestHeader) throws -> MessageFormat {
        if let dataFile = header.dataFile {
            guard let text = try? String(contentsOfFile: dataFile, encoding: .utf8) else { throw StreamcheckError("cannot read data file '\(dataFile)'") }
            let lines = try text.split(separator: "\n").map { try JSONValue.parse(String($0)) }
            return JSONFormat(records: { seq in lines[seq % lines.count] })
        }
        let generator = RecordGenerator(seed: header.seed)
        return JSONFormat(records: { generator.record(at: $0) })
    }
}
