import CAvro
import Foundation
import TerraformIO

/// One generic Avro value and the class it was made from. Owns both: the value reference from
/// avro_generic_value_new and the iface reference from avro_generic_class_from_schema are
/// dropped in deinit, value first (it points into the iface).
final class GenericValue {
    let iface: UnsafeMutablePointer<avro_value_iface_t>
    var value = avro_value_t()

    init(schema: avro_schema_t) throws {
        guard let iface = avro_generic_class_from_schema(schema) else { throw AvroError.library(AvroError.lastError()) }
        self.iface = iface
        guard avro_generic_value_new(iface, &value) == 0 else {
            sc_avro_iface_decref(iface)
            throw AvroError.library(AvroError.lastError())
        }
    }

    deinit {
        avro_value_decref(&value)
        sc_avro_iface_decref(iface)
    }
}

/// A view of a writer-schema value through a reader schema (Avro schema resolution, done by
/// Avro C's resolved reader). Owns the resolved value and its iface; deinit drops both.
final class ResolvedReaderValue {
    let iface: UnsafeMutablePointer<avro_value_iface_t>
    var value = avro_value_t()

    init(writer: AvroSchema, reader: AvroSchema) throws {
        // NULL with an error message when the writer's data cannot be read with the reader schema.
        guard let iface = avro_resolved_reader_new(writer.raw, reader.raw) else {
            throw AvroError.incompatible(AvroError.lastError())
        }
        self.iface = iface
        guard avro_resolved_reader_new_value(iface, &value) == 0 else {
            sc_avro_iface_decref(iface)
            throw AvroError.library(AvroError.lastError())
        }
    }

    deinit {
        avro_value_decref(&value)
        sc_avro_iface_decref(iface)
    }
}

/// Encodes JSON-like records to Avro binary and decodes them back, with the fixed mapping
/// documented in docs/avro.md:
///   null → null; boolean → bool; int/long → integer; float/double → number;
///   string → string; bytes/fixed → string of code points 0–255 (Avro's JSON encoding);
///   enum → symbol; array → array; map → object; record → object (fields in schema order);
///   union → the bare value (first branch that fits when encoding);
///   logical types → their underlying type (timestamps and dates as integers, uuid as string,
///   decimal as its two's-complement bytes).
/// A codec made with a reader schema decodes writer data as the reader schema sees it.
/// Not for concurrent use by design of Avro C values; a lock keeps accidental sharing safe.
public final class AvroCodec: @unchecked Sendable {
    public let writer: AvroSchema
    public let reader: AvroSchema?
    private let lock = NSLock()
    private let scratch: GenericValue
    private let resolved: ResolvedReaderValue?
    /// Set when the writer schema holds what Avro C cannot (see AvroBinary): Swift encodes
    /// and decodes instead.
    private let swiftBinary: AvroBinary?

    public init(schema: AvroSchema) throws {
        writer = schema
        reader = nil
        scratch = try GenericValue(schema: schema.raw)
        resolved = nil
        swiftBinary = AvroBinary.needed(schema.type, schema) ? AvroBinary(schema: schema) : nil
    }

    /// Throws `.incompatible` when data written with `writer` cannot be read with `reader`.
    public init(writer: AvroSchema, reader: AvroSchema) throws {
        self.writer = writer
        self.reader = reader
        if let problem = reader.cannotRead(writtenWith: writer) { throw AvroError.incompatible(problem) }
        scratch = try GenericValue(schema: writer.raw)
        swiftBinary = AvroBinary.needed(writer.type, writer) ? AvroBinary(schema: writer) : nil
        // Avro C resolves unless reader defaults are needed, or a map holds an array or a map
        // (Avro C 1.11.1's resolved reader crashes reading those, even with reader equal to
        // writer); then AvroProjection reads instead.
        let avroCCanResolve = !reader.needsProjection(writtenWith: writer)
            && !Self.hasMapOfCollections(writer.type, writer, []) && !Self.hasMapOfCollections(reader.type, reader, [])
            && swiftBinary == nil && !AvroBinary.needed(reader.type, reader)
        resolved = avroCCanResolve ? try ResolvedReaderValue(writer: writer, reader: reader) : nil
    }

    /// Whether a map's values are, or hold (through records and unions), an array or a map.
    static func hasMapOfCollections(_ type: AvroType, _ schema: AvroSchema, _ seen: Set<String>) -> Bool {
        func holdsCollection(_ t: AvroType, _ seen: Set<String>) -> Bool {
            switch schema.resolve(t) {
            case .array, .map: return true
            case let .record(name, fields):
                if seen.contains(name) { return false }
                return fields.contains { holdsCollection($0.type, seen.union([name])) }
            case let .union(branches): return branches.contains { holdsCollection($0, seen) }
            case let .logical(_, base): return holdsCollection(base, seen)
            default: return false
            }
        }
        switch schema.resolve(type) {
        case let .map(values): return holdsCollection(values, []) || hasMapOfCollections(values, schema, seen)
        case let .array(items): return hasMapOfCollections(items, schema, seen)
        case let .record(name, fields):
            if seen.contains(name) { return false }
            return fields.contains { hasMapOfCollections($0.type, schema, seen.union([name])) }
        case let .union(branches): return branches.contains { hasMapOfCollections($0, schema, seen) }
        case let .logical(_, base): return hasMapOfCollections(base, schema, seen)
        default: return false
        }
    }

    /// Throws `.dataMismatch` naming the field when `record` does not fit the writer schema.
    public func validate(_ record: JSONValue) throws {
        try AvroJSONMapping(schema: writer).check(writer.type, record, path: "")
    }

    /// Avro binary of `record` under the writer schema.
    public func encode(_ record: JSONValue) throws -> [UInt8] {
        let mapping = AvroJSONMapping(schema: writer)
        try mapping.check(writer.type, record, path: "")
        if let swiftBinary { return swiftBinary.encode(record) }
        lock.lock()
        defer { lock.unlock() }
        _ = sc_avro_value_reset(&scratch.value)
        try mapping.fill(&scratch.value, writer.type, record, path: "")
        var size = 0
        guard avro_value_sizeof(&scratch.value, &size) == 0 else { throw AvroError.library(AvroError.lastError()) }
        var bytes = [UInt8](repeating: 0, count: size)
        let rc = bytes.withUnsafeMutableBytes { buffer -> Int32 in
            // The memory writer writes into our buffer and owns nothing; freed right after.
            guard let out = avro_writer_memory(buffer.baseAddress?.assumingMemoryBound(to: CChar.self), Int64(size)) else { return -1 }
            defer { avro_writer_free(out) }
            return avro_value_write(out, &scratch.value)
        }
        guard rc == 0 else { throw AvroError.library(AvroError.lastError()) }
        return bytes
    }

    /// Decodes Avro binary written with the writer schema; all bytes must be used. With a reader
    /// schema the record is returned as the reader schema sees it.
    public func decode(_ bytes: [UInt8]) throws -> JSONValue {
        if let swiftBinary { return try readAsReader(try swiftBinary.decode(bytes)) }
        lock.lock()
        defer { lock.unlock() }
        _ = sc_avro_value_reset(&scratch.value)
        // A record with no fields encodes to zero bytes; Avro C still wants a pointer.
        let storage = bytes.isEmpty ? [0] : bytes
        let rc = storage.withUnsafeBytes { buffer -> Int32 in
            // The memory reader only borrows the buffer for the duration of the read.
            guard let input = avro_reader_memory(buffer.baseAddress!.assumingMemoryBound(to: CChar.self), Int64(bytes.count)) else { return -1 }
            defer { avro_reader_free(input) }
            return avro_value_read(input, &scratch.value)
        }
        guard rc == 0 else { throw AvroError.undecodable(AvroError.lastError()) }
        var used = 0
        guard avro_value_sizeof(&scratch.value, &used) == 0 else { throw AvroError.library(AvroError.lastError()) }
        if used != bytes.count {
            throw AvroError.undecodable("\(bytes.count - used) bytes left after the record (\(bytes.count) bytes, record uses \(used))")
        }
        if let resolved, let reader {
            avro_resolved_reader_set_source(&resolved.value, &scratch.value)
            defer { avro_resolved_reader_clear_source(&resolved.value) }
            return try AvroJSONMapping(schema: reader).json(&resolved.value, reader.type, path: "")
        }
        return try readAsReader(try AvroJSONMapping(schema: writer).json(&scratch.value, writer.type, path: ""))
    }

    /// A record decoded with the writer schema, as the reader schema (if any) sees it.
    private func readAsReader(_ record: JSONValue) throws -> JSONValue {
        guard let reader else { return record }
        let projected = AvroProjection(writer: writer, reader: reader).project(record, writer.type, reader.type)
        do { try AvroJSONMapping(schema: reader).check(reader.type, projected, path: "") } catch {
            throw AvroError.incompatible("not readable with the reader schema: \(error)")
        }
        return projected
    }

    /// The record as it comes back from the wire: defaults filled in, fields in schema order,
    /// numbers in their Avro types. Digests are computed on this form.
    public func normalize(_ record: JSONValue) throws -> JSONValue {
        let plain = reader == nil ? self : try AvroCodec(schema: writer)
        return try plain.decode(plain.encode(record))
    }
}
