import TerraformIO

/// The content digest that ties a message to the manifest. It is computed on the decoded
/// record (canonical JSON), so it holds whatever the wire format: JSON text, Avro binary,
/// a Postgres row or an S3 line. FNV-1a 64 is fast and well spread; it detects accidental
/// change, not a deliberate forgery.
public enum ContentDigest {
    public static func fnv1a64<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            hash ^= UInt64(b)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    public static func of(record: JSONValue) -> UInt64 {
        fnv1a64(canonicalBytes(record))
    }

    /// Object keys sorted by their UTF-8 bytes, no spaces, integers as integers, other numbers
    /// in the shortest form that reads back the same.
    public static func canonicalJSON(_ value: JSONValue) -> String {
        String(decoding: canonicalBytes(value), as: UTF8.self)
    }

    /// The canonical form as bytes. Written byte by byte, not through String: this runs once
    /// per produced message and is most of produce's CPU time.
    public static func canonicalBytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeCanonical(value, to: &out)
        return out
    }

    static func writeCanonical(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case let .bool(b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case let .int(i): out.append(contentsOf: String(i).utf8)
        case let .double(d):
            if d == d.rounded(), abs(d) < 9.0e15 { out.append(contentsOf: String(Int64(d)).utf8) } else { out.append(contentsOf: "\(d)".utf8) }
        case let .string(s): writeString(s, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeCanonical(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let .object(members):
            out.append(UInt8(ascii: "{"))
            let precedes: ((String, JSONValue), (String, JSONValue)) -> Bool = { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            // Generators already emit sorted keys: skip the sort then.
            let sorted = zip(members, members.dropFirst()).allSatisfy { precedes($0, $1) } ? members : members.sorted(by: precedes)
            for (i, (key, member)) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                writeCanonical(member, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Identifies a message key for per-key ordering; 0 means "no key".
    public static func keyHash(_ key: [UInt8]?) -> UInt64 {
        guard let key, !key.isEmpty else { return 0 }
        let h = fnv1a64(key)
        return h == 0 ? 1 : h
    }

    /// The 16 lower-case hex digits of `hex`, appended.
    public static func appendHex(_ digest: UInt64, to out: inout [UInt8]) {
        let digits = Fill.hexDigits
        for shift in stride(from: 60, through: 0, by: -4) { out.append(digits[Int((digest >> UInt64(shift)) & 0xF)]) }
    }

    public static func hex(_ digest: UInt64) -> String {
        let s = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// 16 hex digits (either case), as the digest header carries them; nil for anything else.
    public static func parseHex<C: Collection>(_ bytes: C) -> UInt64? where C.Element == UInt8 {
        guard bytes.count == 16 else { return nil }
        var value: UInt64 = 0
        for b in bytes {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }

    /// A decimal integer as Int64(String) reads it (optional sign, digits, no overflow), read
    /// straight from header bytes without making a String.
    public static func parseDecimal<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard var b = iterator.next() else { return nil }
        var negative = false
        if b == UInt8(ascii: "-") || b == UInt8(ascii: "+") {
            negative = b == UInt8(ascii: "-")
            guard let next = iterator.next() else { return nil }
            b = next
        }
        var magnitude: UInt64 = 0
        while true {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(b - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            magnitude = a
            guard let next = iterator.next() else { break }
            b = next
        }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }
}

/// SplitMix64: a tiny, fast generator whose stream is fixed by its seed, so record `seq`
/// can be regenerated on its own (random access) by seeding with (seed, seq).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public init(seed: UInt64, seq: Int) {
        var mixer = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: seq) &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
