import Avro
import TerraformIO

/// Generates valid records for any Avro schema, deterministic by seed and message seq with
/// random access: `record(at: seq)` reseeds SplitMix64(seed, seq), so verify regenerates
/// exactly what produce sent without keeping it.
///
/// Values are chosen so that they survive the Avro round trip unchanged (the digest of the
/// generated record equals the digest of the decoded one): floats and doubles are multiples
/// of 1/64 with a fractional part (exact in a float, never mistaken for an integer branch),
/// strings are ASCII, timestamps fall in 2025.
public struct AvroRecordGenerator: Sendable {
    public let schema: AvroSchema
    public let seed: UInt64
    /// Nesting bound for recursive schemas: past it unions take null and collections stay empty.
    static let maxDepth = 8

    public init(schema: AvroSchema, seed: UInt64) {
        self.schema = schema
        self.seed = seed
    }

    public func record(at seq: Int) -> JSONValue {
        var rng = SplitMix64(seed: seed, seq: seq)
        return value(schema.type, depth: 0, rng: &rng)
    }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".unicodeScalars)
    static let year2025Ms: Int64 = 1_735_689_600_000
    static let yearMs: Int64 = 365 * 86_400_000
    static let day2025: Int64 = 20_089

    func value(_ type: AvroType, depth: Int, rng: inout SplitMix64) -> JSONValue {
        switch schema.resolve(type) {
        case .null: return .null
        case .boolean: return .bool(rng.next() & 1 == 1)
        case .int: return .int(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case .long: return .int(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng))
        case .float, .double:
            return .double(Double(Int64.random(in: -100_000...100_000, using: &rng)) + Double(Int64.random(in: 1...63, using: &rng)) / 64)
        case .string: return .string(Self.word(&rng, length: Int.random(in: 1...16, using: &rng)))
        case .bytes: return .string(Self.bytes(&rng, count: Int.random(in: 0...16, using: &rng)))
        case let .fixed(_, size): return .string(Self.bytes(&rng, count: size))
        case let .enumeration(_, symbols): return .string(symbols[Int.random(in: 0..<symbols.count, using: &rng)])
        case let .array(items):
            let count = depth >= Self.maxDepth ? 0 : Int.random(in: 0...4, using: &rng)
            return .array((0..<count).map { _ in value(items, depth: depth + 1, rng: &rng) })
        case let .map(values):
            let count = depth >= Self.maxDepth ? 0 : Int.random(in: 0...4, using: &rng)
            var members: [(String, JSONValue)] = []
            for i in 0..<count {
                // Distinct keys: a map cannot hold one twice.
                members.append(("k\(i)_" + Self.word(&rng, length: 4), value(values, depth: depth + 1, rng: &rng)))
            }
            return .object(members)
        case let .record(_, fields):
            return .object(fields.map { ($0.name, value($0.type, depth: depth + 1, rng: &rng)) })
        case let .union(branches):
            if depth >= Self.maxDepth, let nullBranch = branches.firstIndex(where: { if case .null = $0 { return true }; return false }) {
                return value(branches[nullBranch], depth: depth + 1, rng: &rng)
            }
            return value(branches[Int.random(in: 0..<branches.count, using: &rng)], depth: depth + 1, rng: &rng)
        case let .logical(logical, base):
            return logicalValue(logical, base: base, rng: &rng)
        case .reference:
            return .null  // unreachable: references resolve to a definition
        }
    }

    func logicalValue(_ logical: AvroLogicalType, base: AvroType, rng: inout SplitMix64) -> JSONValue {
        switch logical {
        case .timestampMillis: return .int(Self.year2025Ms + Int64.random(in: 0..<Self.yearMs, using: &rng))
        case .timestampMicros: return .int((Self.year2025Ms + Int64.random(in: 0..<Self.yearMs, using: &rng)) * 1000 + Int64.random(in: 0..<1000, using: &rng))
        case .date: return .int(Self.day2025 + Int64.random(in: 0..<365, using: &rng))
        case .timeMillis: return .int(Int64.random(in: 0..<86_400_000, using: &rng))
        case .timeMicros: return .int(Int64.random(in: 0..<86_400_000_000, using: &rng))
        case .uuid: return .string(Self.uuid(&rng))
        case let .decimal(precision, _):
            let limit = Self.pow10(min(precision, 18)) - 1
            let unscaled = Int64.random(in: -limit...limit, using: &rng)
            var bytes = Self.twosComplement(unscaled)
            if case let .fixed(_, size) = schema.resolve(base) {
                // Sign-extend to the fixed size (the precision was checked to fit it by the spec's rule).
                let fill: UInt8 = unscaled < 0 ? 0xFF : 0x00
                if bytes.count < size { bytes = [UInt8](repeating: fill, count: size - bytes.count) + bytes }
                if bytes.count > size { bytes = Array(bytes.suffix(size)) }
            }
            return .string(String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })))
        }
    }

    static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { acc, _ in acc * 10 } }

    /// Minimal big-endian two's-complement bytes, as Avro's decimal wants.
    static func twosComplement(_ value: Int64) -> [UInt8] {
        var bytes = withUnsafeBytes(of: value.bigEndian) { Array($0) }
        while bytes.count > 1 {
            let first = bytes[0], next = bytes[1]
            if (first == 0x00 && next & 0x80 == 0) || (first == 0xFF && next & 0x80 != 0) { bytes.removeFirst() } else { break }
        }
        return bytes
    }

    static func word(_ rng: inout SplitMix64, length: Int) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<length { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
        return String(s)
    }

    static func bytes(_ rng: inout SplitMix64, count: Int) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<count { s.append(Unicode.Scalar(UInt8(truncatingIfNeeded: rng.next()))) }
        return String(s)
    }

    /// A version-4 UUID from the generator's bits, lower case.
    static func uuid(_ rng: inout SplitMix64) -> String {
        var bytes = withUnsafeBytes(of: rng.next()) { Array($0) } + withUnsafeBytes(of: rng.next()) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { b -> String in let s = String(b, radix: 16); return s.count == 1 ? "0" + s : s }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }
}
