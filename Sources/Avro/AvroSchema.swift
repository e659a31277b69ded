import CAvro
import Foundation
import TerraformIO

/// A parsed Avro schema. Owns one avro_schema_t (released in deinit) and the Swift tree of
/// the same schema (`type`), which carries the logical types Avro C does not keep.
public final class AvroSchema: @unchecked Sendable {
    /// Owned: one reference from avro_schema_from_json_length, dropped in deinit. Immutable after init.
    let raw: avro_schema_t
    public let type: AvroType
    /// Named types (records, enums, fixed) by full name, to resolve `.reference`.
    public let namedTypes: [String: AvroType]
    /// The schema as the user wrote it (key order kept), compact: what a registry receives.
    public let text: String
    /// Full name -> alias full names, for reading data written under an older name.
    let aliases: [String: [String]]
    /// Enum full name -> its default symbol.
    let enumDefaults: [String: String]

    private init(raw: avro_schema_t, type: AvroType, parser: AvroTypeParser, text: String) {
        self.raw = raw
        self.type = type
        self.namedTypes = parser.named
        self.aliases = parser.aliases
        self.enumDefaults = parser.enumDefaults
        self.text = text
    }

    deinit { avro_schema_decref(raw) }

    /// Parses schema JSON text. Errors name the problem as Avro C or the JSON parser reports it.
    public static func parse(_ text: String) throws -> AvroSchema {
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch {
            throw AvroError.invalidSchema("not JSON (\(error))")
        }
        // Held to the spec in Swift first: Avro C crashes on some schemas it would accept.
        var parser = AvroTypeParser()
        let type = try parser.parse(json, namespace: nil)
        try parser.finish(type)
        // Avro C parses this compact text (same content); it keeps a reference we own on success only.
        // Its JSON parser (Jansson, without JSON_ALLOW_NUL) refuses U+0000 in any string, which
        // the spec allows in a default or a doc. Avro C uses neither (Swift fills defaults), so it
        // gets them with U+0000 replaced; names and symbols cannot hold one.
        let compact = json.encoded()
        let forAvroC = compact.contains("\\u0000") ? Self.withoutNUL(json).encoded() : compact
        var raw: avro_schema_t?
        let rc = forAvroC.withCString { avro_schema_from_json_length($0, strlen($0), &raw) }
        guard rc == 0, let raw else { throw AvroError.invalidSchema(AvroError.lastError()) }
        return AvroSchema(raw: raw, type: type, parser: parser, text: compact)
    }

    static func withoutNUL(_ json: JSONValue) -> JSONValue {
        switch json {
        case let .string(text): return .string(text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}"))
        case let .array(items): return .array(items.map(withoutNUL))
        case let .object(members): return .object(members.map { ($0.0, withoutNUL($0.1)) })
        default: return json
        }
    }

    /// Reads and parses an .avsc file; errors name the file.
    public static func load(path: String) throws -> AvroSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AvroError.invalidSchema("cannot read schema file \(path)")
        }
        do { return try parse(String(decoding: data, as: UTF8.self)) } catch let error as AvroError {
            if case let .invalidSchema(reason) = error { throw AvroError.invalidSchema("\(path): \(reason)") }
            throw error
        }
    }

    /// Adopts a schema Avro C built itself (for example the writer schema of a container file).
    /// Takes over the reference passed in.
    static func adopt(_ raw: avro_schema_t) throws -> AvroSchema {
        let writer = avro_writer_memory(nil, 0)
        defer { avro_writer_free(writer) }
        // Size first with a growing buffer: avro_schema_to_json fails with ENOSPC when it is too small.
        var capacity = 4096
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let rc = buffer.withUnsafeMutableBufferPointer { buf -> Int32 in
                avro_writer_memory_set_dest(writer, buf.baseAddress, Int64(capacity))
                return avro_schema_to_json(raw, writer)
            }
            if rc == 0 {
                let length = Int(avro_writer_tell(writer))
                let text = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                avro_schema_decref(raw)
                return try parse(text)
            }
            if capacity > 64 << 20 { avro_schema_decref(raw); throw AvroError.library(AvroError.lastError()) }
            capacity *= 4
        }
    }

    /// Full name of the top-level named type (record, enum, fixed), for RecordNameStrategy subjects.
    public var fullName: String? {
        switch type {
        case let .record(name, _), let .enumeration(name, _), let .fixed(name, _): return name
        case let .logical(_, .fixed(name, _)): return name
        default: return nil
        }
    }

    /// Whether data written with `writer` can be read with this schema (Avro schema resolution,
    /// decided by Avro C). Returns nil when it can, else the reason.
    public func cannotRead(writtenWith writer: AvroSchema) -> String? {
        // Checked in Swift first: Avro C can crash on some pairs it refuses (see AvroResolution).
        var lenient = AvroResolution(writer: writer, reader: self, allowDefaults: true)
        if let problem = lenient.problem(writer.type, type, path: "") { return problem }
        if needsProjection(writtenWith: writer) { return nil }  // read by AvroProjection, not Avro C
        guard let iface = avro_resolved_writer_new(writer.raw, raw) else { return AvroError.lastError() }
        sc_avro_iface_decref(iface)
        return nil
    }

    /// Whether reading `writer` data needs reader defaults, which Avro C 1.11 cannot fill.
    func needsProjection(writtenWith writer: AvroSchema) -> Bool {
        var strict = AvroResolution(writer: writer, reader: self)
        return strict.problem(writer.type, type, path: "") != nil
    }

    /// The union branch a value in Avro's JSON form is written as (the first it fits).
    public func branch(of value: JSONValue, in branches: [AvroType]) -> AvroType? {
        AvroJSONMapping(schema: self).branchIndex(branches, value).map { branches[$0] }
    }

    /// Whether this schema's named type `name` reads data written under `writerName`: the same
    /// unqualified name (Avro C's rule, kept), or one of its aliases (the spec's rule).
    func nameReads(_ name: String, writerName: String) -> Bool {
        AvroResolution.short(name) == AvroResolution.short(writerName) || (aliases[name] ?? []).contains(writerName)
    }

    /// Follows `.reference` names to their definitions.
    public func resolve(_ type: AvroType) -> AvroType {
        if case let .reference(name) = type, let definition = namedTypes[name] { return definition }
        return type
    }
}
