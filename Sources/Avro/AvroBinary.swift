import Foundation
import TerraformIO

/// Avro binary encoding in Swift, for the schemas Avro C 1.11.1 cannot hold values of: an
/// array or map whose items are records with no fields (zero bytes each; its value array
/// fails with "Couldn't expand array"), and a fixed of size 0 (its value fails to allocate). Same JSON form as AvroJSONMapping; values are checked
/// by AvroJSONMapping.check before they get here. Decoding is bounded for hostile input: no
/// more items than `maximumItems` in one value, no deeper than `maximumDepth`.
struct AvroBinary {
    let schema: AvroSchema
    static let maximumItems = 1_000_000
    static let maximumDepth = 500

    /// Whether `type` holds an array or map of zero-field records, which Avro C cannot.
    static func needed(_ type: AvroType, _ schema: AvroSchema) -> Bool {
        func isEmptyRecord(_ t: AvroType) -> Bool {
            if case let .record(_, fields) = schema.resolve(t) { return fields.isEmpty }
            return false
        }
        var seen: Set<String> = []
        func walk(_ t: AvroType) -> Bool {
            switch schema.resolve(t) {
            case let .array(inner), let .map(inner): return isEmptyRecord(inner) || walk(inner)
            case let .record(name, fields):
                guard seen.insert(name).inserted else { return false }
                return fields.contains { walk($0.type) }
            case let .union(branches): return branches.contains(where: walk)
            case let .logical(_, base): return walk(base)
            case let .fixed(_, size): return size == 0
            default: return false
            }
        }
        return walk(type)
    }

    // MARK: encode

    func encode(_ json: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(json, schema.type, to: &out)
        return out
    }

    private func write(_ json: JSONValue, _ type: AvroType, to out: inout [UInt8]) {
        switch schema.resolve(type) {
        case .null: break
        case .boolean: out.append(json.boolValue == true ? 1 : 0)
        case .int, .long: Self.writeLong(AvroJSONMapping.integer(json) ?? 0, to: &out)
        case .float: withUnsafeBytes(of: Float(json.doubleValue ?? 0).bitPattern.littleEndian) { out += $0 }
        case .double: withUnsafeBytes(of: (json.doubleValue ?? 0).bitPattern.littleEndian) { out += $0 }
        case .string: Self.writeBytes(Array((json.stringValue ?? "").utf8), to: &out)
        case .bytes: Self.writeBytes(AvroJSONMapping.bytes(json) ?? [], to: &out)
        case .fixed: out += AvroJSONMapping.bytes(json) ?? []
        case let .enumeration(_, symbols): Self.writeLong(Int64(symbols.firstIndex(of: json.stringValue ?? "") ?? 0), to: &out)
        case let .array(items):
            let values = json.arrayValue ?? []
            if !values.isEmpty {
                Self.writeLong(Int64(values.count), to: &out)
                for value in values { write(value, items, to: &out) }
            }
            out.append(0)
        case let .map(valuesType):
            let members = json.objectValue ?? []
            if !members.isEmpty {
                Self.writeLong(Int64(members.count), to: &out)
                for (key, value) in members {
                    Self.writeBytes(Array(key.utf8), to: &out)
                    write(value, valuesType, to: &out)
                }
            }
            out.append(0)
        case let .record(_, fields):
            for field in fields { write(json[field.name] ?? field.defaultValue ?? .null, field.type, to: &out) }
        case let .union(branches):
            let index = AvroJSONMapping(schema: schema).branchIndex(branches, json) ?? 0
            Self.writeLong(Int64(index), to: &out)
            write(json, branches[index], to: &out)
        case .logical(.decimal, .bytes):
            Self.writeBytes(AvroJSONMapping.minimalTwosComplement(AvroJSONMapping.bytes(json) ?? []), to: &out)
        case let .logical(_, base): write(json, base, to: &out)
        case .reference: break
        }
    }

    static func writeLong(_ value: Int64, to out: inout [UInt8]) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        while zigzag >= 0x80 {
            out.append(UInt8(zigzag & 0x7F) | 0x80)
            zigzag >>= 7
        }
        out.append(UInt8(zigzag))
    }

    static func writeBytes(_ bytes: [UInt8], to out: inout [UInt8]) {
        writeLong(Int64(bytes.count), to: &out)
        out += bytes
    }

    // MARK: decode

    func decode(_ bytes: [UInt8]) throws -> JSONValue {
        var reader = Reader(bytes: bytes)
        let value = try read(schema.type, &reader, path: "", depth: 0)
        if reader.position != bytes.count {
            throw AvroError.undecodable("\(bytes.count - reader.position) bytes left after the record (\(bytes.count) bytes, record uses \(reader.position))")
        }
        return value
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0
        var items = 0

        mutating func byte() throws -> UInt8 {
            guard position < bytes.count else { throw AvroError.undecodable("the value ends early") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - position else { throw AvroError.undecodable("a length of \(count) runs past the value's end") }
            defer { position += count }
            return bytes[position..<position + count]
        }

        mutating func long() throws -> Int64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw AvroError.undecodable("a number longer than 10 bytes") }
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { break }
                shift += 7
            }
            return Int64(bitPattern: result >> 1) ^ -Int64(bitPattern: result & 1)
        }

        /// One block count of an array or map; a negative count is followed by the block's size.
        mutating func blockCount() throws -> Int {
            var count = try long()
            if count < 0 {
                guard count != .min else { throw AvroError.undecodable("a block count out of range") }
                count = -count
                _ = try long()
            }
            items += Int(clamping: count)
            guard items <= AvroBinary.maximumItems else { throw AvroError.undecodable("more than \(AvroBinary.maximumItems) items in one value") }
            return Int(count)
        }
    }

    private func read(_ type: AvroType, _ r: inout Reader, path: String, depth: Int) throws -> JSONValue {
        guard depth <= Self.maximumDepth else { throw AvroError.undecodable("\(path): nested deeper than \(Self.maximumDepth)") }
        switch schema.resolve(type) {
        case .null: return .null
        case .boolean:
            let b = try r.byte()
            guard b <= 1 else { throw AvroError.undecodable("\(path): boolean byte \(b)") }
            return .bool(b == 1)
        case .int:
            let v = try r.long()
            guard let i = Int32(exactly: v) else { throw AvroError.undecodable("\(path): \(v) is out of an int's range") }
            return .int(Int64(i))
        case .long: return .int(try r.long())
        case .float:
            let raw = try r.take(4)
            return .double(Double(Float(bitPattern: raw.reversed().reduce(0) { $0 << 8 | UInt32($1) })))
        case .double:
            let raw = try r.take(8)
            return .double(Double(bitPattern: raw.reversed().reduce(0) { $0 << 8 | UInt64($1) }))
        case .string:
            let raw = try r.take(Int(clamping: try r.long()))
            return .string(String(decoding: raw, as: UTF8.self))
        case .bytes:
            return .string(AvroJSONMapping.string(fromBytes: Array(try r.take(Int(clamping: try r.long())))))
        case let .fixed(_, size):
            return .string(AvroJSONMapping.string(fromBytes: Array(try r.take(size))))
        case let .enumeration(name, symbols):
            let i = try r.long()
            guard i >= 0, i < symbols.count else { throw AvroError.undecodable("\(path): symbol \(i) out of range of enum \(name)") }
            return .string(symbols[Int(i)])
        case let .array(items):
            var out: [JSONValue] = []
            while case let count = try r.blockCount(), count > 0 {
                for _ in 0..<count { out.append(try read(items, &r, path: "\(path)[\(out.count)]", depth: depth + 1)) }
            }
            return .array(out)
        case let .map(valuesType):
            var out: [(String, JSONValue)] = []
            while case let count = try r.blockCount(), count > 0 {
                for _ in 0..<count {
                    let raw = try r.take(Int(clamping: try r.long()))
                    let key = String(decoding: raw, as: UTF8.self)
                    out.append((key, try read(valuesType, &r, path: AvroJSONMapping.child(path, key), depth: depth + 1)))
                }
            }
            return .object(out)
        case let .record(_, fields):
            return .object(try fields.map { ($0.name, try read($0.type, &r, path: AvroJSONMapping.child(path, $0.name), depth: depth + 1)) })
        case let .union(branches):
            let i = try r.long()
            guard i >= 0, i < branches.count else { throw AvroError.undecodable("\(path): union branch \(i) out of range") }
            return try read(branches[Int(i)], &r, path: path, depth: depth + 1)
        case .logical(.decimal, .bytes):
            let written = Array(try r.take(Int(clamping: try r.long())))
            return .string(AvroJSONMapping.string(fromBytes: AvroJSONMapping.minimalTwosComplement(written)))
        case let .logical(_, base):
            return try read(base, &r, path: path, depth: depth)
        case let .reference(name):
            throw AvroError.undecodable("unknown named type \(name)")
        }
    }
}
