import CAvro
import Foundation
import TerraformIO

/// The JSON ↔ Avro value mapping (see AvroCodec for the convention). `check` decides whether a
/// JSON value fits a type without touching Avro C, so unions can pick their branch first;
/// `fill` writes a checked value into an Avro C value; `json` reads one back.
struct AvroJSONMapping {
    let schema: AvroSchema

    static func child(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }

    // MARK: JSON → check

    func check(_ type: AvroType, _ json: JSONValue, path: String) throws {
        func mismatch(_ reason: String) -> AvroError { .dataMismatch(path: path, reason: reason) }
        switch schema.resolve(type) {
        case .null:
            guard case .null = json else { throw mismatch("expected null, found \(Self.describe(json))") }
        case .boolean:
            guard case .bool = json else { throw mismatch("expected a boolean, found \(Self.describe(json))") }
        case .int:
            guard let i = Self.integer(json), i >= Int64(Int32.min), i <= Int64(Int32.max) else {
                throw mismatch("expected an int (32-bit integer), found \(Self.describe(json))")
            }
        case .long:
            guard Self.integer(json) != nil else { throw mismatch("expected a long (64-bit integer), found \(Self.describe(json))") }
        case .float, .double:
            guard json.doubleValue != nil else { throw mismatch("expected a number, found \(Self.describe(json))") }
        case .string:
            guard case .string = json else { throw mismatch("expected a string, found \(Self.describe(json))") }
        case .bytes:
            guard Self.bytes(json) != nil else { throw mismatch("expected bytes (a string of code points 0-255), found \(Self.describe(json))") }
        case let .fixed(name, size):
            guard let b = Self.bytes(json), b.count == size else {
                throw mismatch("expected fixed \(name) of \(size) bytes (a string of code points 0-255), found \(Self.describe(json))")
            }
        case let .enumeration(name, symbols):
            guard let s = json.stringValue, symbols.contains(s) else {
                throw mismatch("expected a symbol of enum \(name) (\(symbols.joined(separator: ", "))), found \(Self.describe(json))")
            }
        case let .array(items):
            guard case let .array(values) = json else { throw mismatch("expected an array, found \(Self.describe(json))") }
            for (i, v) in values.enumerated() { try check(items, v, path: "\(path)[\(i)]") }
        case let .map(valuesType):
            guard case let .object(members) = json else { throw mismatch("expected an object (Avro map), found \(Self.describe(json))") }
            for (k, v) in members {
                // Avro C takes map keys as C strings: a key would be cut at U+0000 and sent as
                // another key (two keys could collide), so it is refused rather than changed.
                if k.utf8.contains(0) {
                    throw mismatch("map key \(JSONValue.string(k).encoded()) holds U+0000, which Avro C cannot write in a map key")
                }
                try check(valuesType, v, path: Self.child(path, k))
            }
        case let .record(name, fields):
            guard case let .object(members) = json else { throw mismatch("expected an object (record \(name)), found \(Self.describe(json))") }
            let known = Set(fields.map(\.name))
            if let extra = members.first(where: { !known.contains($0.0) }) {
                throw AvroError.dataMismatch(path: Self.child(path, extra.0), reason: "not a field of record \(name)")
            }
            for field in fields {
                let fieldPath = Self.child(path, field.name)
                if let v = json[field.name] {
                    try check(field.type, v, path: fieldPath)
                } else if field.defaultValue == nil {
                    throw AvroError.dataMismatch(path: fieldPath, reason: "missing, and the schema gives no default")
                }
            }
        case let .union(branches):
            guard branchIndex(branches, json) != nil else {
                throw mismatch("\(Self.describe(json)) fits no branch of union [\(branches.map(\.branchName).joined(separator: ", "))]")
            }
        case let .logical(logical, base):
            try check(base, json, path: path)
            if logical == .uuid, let s = json.stringValue, UUID(uuidString: s) == nil {
                throw mismatch("expected a uuid such as 123e4567-e89b-12d3-a456-426614174000, found \(Self.describe(json))")
            }
        case .reference(let name):
            throw mismatch("unknown named type \(name)")
        }
    }

    /// First branch the value fits, so ["null","string"] takes null for null and string otherwise.
    func branchIndex(_ branches: [AvroType], _ json: JSONValue) -> Int? {
        branches.indices.first(where: { (try? check(branches[$0], json, path: "")) != nil })
    }

    static func integer(_ json: JSONValue) -> Int64? {
        switch json {
        case let .int(i): return i
        case let .double(d) where d == d.rounded() && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    static func bytes(_ json: JSONValue) -> [UInt8]? {
        guard case let .string(s) = json else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(s.unicodeScalars.count)
        for scalar in s.unicodeScalars {
            guard scalar.value <= 0xFF else { return nil }
            out.append(UInt8(scalar.value))
        }
        return out
    }

    /// The shortest big-endian two's complement of the same integer (at least one byte).
    static func minimalTwosComplement(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [0] }
        var start = 0
        while start + 1 < bytes.count {
            let (b, next) = (bytes[start], bytes[start + 1])
            guard (b == 0x00 && next & 0x80 == 0) || (b == 0xFF && next & 0x80 != 0) else { break }
            start += 1
        }
        return Array(bytes[start...])
    }

    static func string(fromBytes bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { string(fromBytes: $0) }
    }

    static func string(fromBytes bytes: UnsafeRawBufferPointer) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    static func describe(_ json: JSONValue) -> String {
        let text = json.encoded()
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    // MARK: JSON → Avro C value (after check)

    func fill(_ value: inout avro_value_t, _ type: AvroType, _ json: JSONValue, path: String) throws {
        func ok(_ rc: Int32) throws {
            if rc != 0 { throw AvroError.dataMismatch(path: path, reason: AvroError.lastError()) }
        }
        switch schema.resolve(type) {
        case .null: try ok(sc_avro_value_set_null(&value))
        case .boolean: try ok(sc_avro_value_set_boolean(&value, json.boolValue == true ? 1 : 0))
        case .int: try ok(sc_avro_value_set_int(&value, Int32(Self.integer(json) ?? 0)))
        case .long: try ok(sc_avro_value_set_long(&value, Self.integer(json) ?? 0))
        case .float: try ok(sc_avro_value_set_float(&value, Float(json.doubleValue ?? 0)))
        case .double: try ok(sc_avro_value_set_double(&value, json.doubleValue ?? 0))
        case .string:
            // set_string_len takes the size including the terminating NUL; Avro C copies it.
            var utf8 = Array((json.stringValue ?? "").utf8)
            utf8.append(0)
            try ok(utf8.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { sc_avro_value_set_string_len(&value, $0.baseAddress, $0.count) }
            })
        case .bytes:
            var b = Self.bytes(json) ?? []
            try ok(b.withUnsafeMutableBytes { sc_avro_value_set_bytes(&value, $0.baseAddress, $0.count) })  // copied
        case .fixed:
            var b = Self.bytes(json) ?? []
            try ok(b.withUnsafeMutableBytes { sc_avro_value_set_fixed(&value, $0.baseAddress, $0.count) })  // copied
        case let .enumeration(_, symbols):
            try ok(sc_avro_value_set_enum(&value, Int32(symbols.firstIndex(of: json.stringValue ?? "") ?? 0)))
        case let .array(items):
            for (i, item) in (json.arrayValue ?? []).enumerated() {
                var element = avro_value_t()
                try ok(sc_avro_value_append(&value, &element, nil))
                try fill(&element, items, item, path: "\(path)[\(i)]")
            }
        case let .map(valuesType):
            for (key, item) in json.objectValue ?? [] {
                var element = avro_value_t()
                try ok(key.withCString { sc_avro_value_add(&value, $0, &element, nil, nil) })
                try fill(&element, valuesType, item, path: Self.child(path, key))
            }
        case let .record(_, fields):
            for (i, field) in fields.enumerated() {
                var element = avro_value_t()
                try ok(sc_avro_value_get_by_index(&value, i, &element, nil))
                try fill(&element, field.type, json[field.name] ?? field.defaultValue ?? .null, path: Self.child(path, field.name))
            }
        case let .union(branches):
            let index = branchIndex(branches, json) ?? 0
            var branch = avro_value_t()
            try ok(sc_avro_value_set_branch(&value, Int32(index), &branch))
            try fill(&branch, branches[index], json, path: path)
        case .logical(.decimal, .bytes):
            var b = Self.minimalTwosComplement(Self.bytes(json) ?? [])
            try ok(b.withUnsafeMutableBytes { sc_avro_value_set_bytes(&value, $0.baseAddress, $0.count) })  // copied
        case let .logical(_, base):
            try fill(&value, base, json, path: path)
        case .reference(let name):
            throw AvroError.dataMismatch(path: path, reason: "unknown named type \(name)")
        }
    }

    // MARK: Avro C value → JSON

    func json(_ value: inout avro_value_t, _ type: AvroType, path: String) throws -> JSONValue {
        func ok(_ rc: Int32) throws {
            if rc != 0 { throw AvroError.undecodable("\(path.isEmpty ? "record" : path): \(AvroError.lastError())") }
        }
        switch schema.resolve(type) {
        case .null:
            return .null
        case .boolean:
            var b: Int32 = 0
            try ok(sc_avro_value_get_boolean(&value, &b))
            return .bool(b != 0)
        case .int:
            var i: Int32 = 0
            try ok(sc_avro_value_get_int(&value, &i))
            return .int(Int64(i))
        case .long:
            var i: Int64 = 0
            try ok(sc_avro_value_get_long(&value, &i))
            return .int(i)
        case .float:
            var f: Float = 0
            try ok(sc_avro_value_get_float(&value, &f))
            return .double(Double(f))
        case .double:
            var d: Double = 0
            try ok(sc_avro_value_get_double(&value, &d))
            return .double(d)
        case .string:
            var p: UnsafePointer<CChar>?
            var size = 0
            try ok(sc_avro_value_get_string(&value, &p, &size))
            guard let p, size > 0 else { return .string("") }
            // size counts the terminating NUL. The pointer belongs to the value.
            return .string(String(decoding: UnsafeRawBufferPointer(start: p, count: size - 1), as: UTF8.self))
        case .bytes:
            var p: UnsafeRawPointer?
            var size = 0
            try ok(sc_avro_value_get_bytes(&value, &p, &size))
            return .string(Self.string(fromBytes: UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : size)))
        case .fixed:
            var p: UnsafeRawPointer?
            var size = 0
            try ok(sc_avro_value_get_fixed(&value, &p, &size))
            return .string(Self.string(fromBytes: UnsafeRawBufferPointer(start: p, count: p == nil ? 0 : size)))
        case let .enumeration(name, symbols):
            var i: Int32 = 0
            try ok(sc_avro_value_get_enum(&value, &i))
            guard i >= 0, Int(i) < symbols.count else { throw AvroError.undecodable("\(path): symbol \(i) out of range of enum \(name)") }
            return .string(symbols[Int(i)])
        case let .array(items):
            var count = 0
            try ok(sc_avro_value_get_size(&value, &count))
            var out: [JSONValue] = []
            out.reserveCapacity(count)
            for i in 0..<count {
                var element = avro_value_t()
                try ok(sc_avro_value_get_by_index(&value, i, &element, nil))
                out.append(try json(&element, items, path: "\(path)[\(i)]"))
            }
            return .array(out)
        case let .map(valuesType):
            var count = 0
            try ok(sc_avro_value_get_size(&value, &count))
            var out: [(String, JSONValue)] = []
            for i in 0..<count {
                var element = avro_value_t()
                var key: UnsafePointer<CChar>?
                try ok(sc_avro_value_get_by_index(&value, i, &element, &key))
                let name = key.map { String(cString: $0) } ?? ""
                out.append((name, try json(&element, valuesType, path: Self.child(path, name))))
            }
            return .object(out)
        case let .record(_, fields):
            var out: [(String, JSONValue)] = []
            out.reserveCapacity(fields.count)
            for (i, field) in fields.enumerated() {
                var element = avro_value_t()
                try ok(sc_avro_value_get_by_index(&value, i, &element, nil))
                out.append((field.name, try json(&element, field.type, path: Self.child(path, field.name))))
            }
            return .object(out)
        case let .union(branches):
            var discriminant: Int32 = 0
            try ok(sc_avro_value_get_discriminant(&value, &discriminant))
            guard discriminant >= 0, Int(discriminant) < branches.count else {
                throw AvroError.undecodable("\(path): union branch \(discriminant) out of range")
            }
            var branch = avro_value_t()
            try ok(sc_avro_value_get_current_branch(&value, &branch))
            return try json(&branch, branches[Int(discriminant)], path: path)
        case .logical(.decimal, .bytes):
            // One value, one form: a decimal's unscaled integer in its shortest two's complement,
            // whatever form the writer chose (fastavro may write -128 as ff80, Java as 80), so
            // the digest covers the decimal's value, not one library's bytes.
            let written = try json(&value, .bytes, path: path)
            return .string(Self.string(fromBytes: Self.minimalTwosComplement(Self.bytes(written) ?? [])))
        case let .logical(_, base):
            return try json(&value, base, path: path)
        case .reference(let name):
            throw AvroError.undecodable("unknown named type \(name)")
        }
    }
}
