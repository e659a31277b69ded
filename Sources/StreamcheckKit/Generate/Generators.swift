import Foundation
import TerraformIO

/// The built-in shape when no schema or data file is given: a realistic user event.
public struct UserEventGenerator: RecordGenerator {
    public let seed: UInt64
    static let eventTypes = ["page_view", "click", "add_to_cart", "checkout", "purchase", "logout"]
    static let currencies = ["EUR", "USD", "GBP"]
    /// 2026-01-01T00:00:00Z: events are spread one second apart from here, by seq.
    static let baseEpoch: Int64 = 1_767_225_600

    public init(seed: UInt64) { self.seed = seed }

    /// Writes record `seq`'s canonical JSON (what ContentDigest.canonicalBytes(record(at:))
    /// gives, byte for byte) straight into `out`: no tree of values, no strings. Produce's hot
    /// path; a unit test holds it equal to the tree's encoding.
    public func renderCanonical(seq: Int, into out: inout [UInt8]) {
        var rng = SplitMix64(seed: seed, seq: seq)
        let cents = rng.next() % 100_000
        out.append(contentsOf: Self.amountKey)
        // Double(cents) / 100 in its shortest round-trip form: the two-decimal text, trailing
        // zeros dropped, an integer when whole.
        Self.appendDecimal(cents / 100, to: &out)
        let fraction = cents % 100
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(fraction / 10))
            if fraction % 10 != 0 { out.append(UInt8(ascii: "0") + UInt8(fraction % 10)) }
        }
        out.append(contentsOf: Self.createdAtKey)
        Fill.appendTimestamp(UserEventGenerator.baseEpoch + Int64(seq), to: &out)
        out.append(contentsOf: Self.currencyKey)
        out.append(contentsOf: Self.currencyBytes[Int(rng.next() % 3)])
        out.append(contentsOf: Self.eventIdKey)
        Fill.appendUUID(&rng, to: &out)
        out.append(contentsOf: Self.eventTypeKey)
        out.append(contentsOf: Self.eventTypeBytes[Int(rng.next() % UInt64(UserEventGenerator.eventTypes.count))])
        out.append(contentsOf: Self.sequenceKey)
        if seq < 0 { out.append(UInt8(ascii: "-")) }
        Self.appendDecimal(UInt64(seq.magnitude), to: &out)
        out.append(contentsOf: Self.userIdKey)
        Self.appendDecimal(rng.next() % 10_000, to: &out)
        out.append(contentsOf: Self.end)
    }

    static let amountKey = Array("{\"amount\":".utf8)
    static let createdAtKey = Array(",\"created_at\":\"".utf8)
    static let currencyKey = Array("\",\"currency\":\"".utf8)
    static let currencyBytes = currencies.map { Array($0.utf8) }
    static let eventIdKey = Array("\",\"event_id\":\"".utf8)
    static let eventTypeKey = Array("\",\"event_type\":\"".utf8)
    static let eventTypeBytes = eventTypes.map { Array($0.utf8) }
    static let sequenceKey = Array("\",\"sequence\":".utf8)
    static let userIdKey = Array(",\"user_id\":\"user-".utf8)
    static let end = Array("\"}".utf8)

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        if value < 10 { out.append(UInt8(ascii: "0") + UInt8(value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = value, count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while n > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
                count += 1
            }
            out.append(contentsOf: buffer[(20 - count)...])
        }
    }

    public func record(at seq: Int) -> JSONValue {
        var rng = SplitMix64(seed: seed, seq: seq)
        let cents = Int64(rng.next() % 100_000)
        return .object([
            ("amount", .double(Double(cents) / 100)),
            ("created_at", .string(Fill.timestamp(UserEventGenerator.baseEpoch + Int64(seq)))),
            ("currency", .string(UserEventGenerator.currencies[Int(rng.next() % 3)])),
            ("event_id", .string(Fill.uuid(&rng))),
            ("event_type", .string(UserEventGenerator.eventTypes[Int(rng.next() % UInt64(UserEventGenerator.eventTypes.count))])),
            ("sequence", .int(Int64(seq))),
            ("user_id", .string("user-\(rng.next() % 10_000)")),
        ])
    }
}

/// Fills a JSON template, a JSON sample, or a JSON Schema deterministically.
///  - Template: string values may be placeholders: {{seq}}, {{uuid}}, {{int:MIN:MAX}},
///    {{float:MIN:MAX}}, {{bool}}, {{choice:a|b|c}}, {{timestamp}}, {{date}}, {{email}},
///    {{name}}, {{string:LEN}}; a placeholder inside a longer string is replaced as text.
///  - Sample (no placeholders): the shape is kept and each value varied by its type.
///  - JSON Schema (an object with "properties"): values follow type, enum, const, format,
///    minimum/maximum and minLength/maxLength.
public struct JSONTemplateGenerator: RecordGenerator {
    public enum Mode { case template, sample, jsonSchema }
    public let template: JSONValue
    public let mode: Mode
    public let seed: UInt64

    public static func load(path: String, seed: UInt64) throws -> JSONTemplateGenerator {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("cannot read schema_file \(path): no such file or not readable")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: [UInt8](data)) } catch {
            throw StreamcheckError("schema_file \(path) is not valid JSON: \(error)")
        }
        guard value.objectValue != nil else {
            throw StreamcheckError("schema_file \(path) must hold a JSON object (a template, a sample record or a JSON Schema)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let mode: Mode
        if value["properties"]?.objectValue != nil, value["type"] != nil || value["$schema"] != nil {
            mode = .jsonSchema
        } else if text.contains("{{") {
            mode = .template
            try Fill.validateTemplate(value, path: path)
        } else {
            mode = .sample
        }
        return JSONTemplateGenerator(template: value, mode: mode, seed: seed)
    }

    public func record(at seq: Int) -> JSONValue {
        var rng = SplitMix64(seed: seed, seq: seq)
        switch mode {
        case .template: return Fill.template(template, seq: seq, rng: &rng)
        case .sample: return Fill.sample(template, seq: seq, rng: &rng)
        case .jsonSchema: return Fill.fromSchema(template, seq: seq, rng: &rng)
        }
    }
}

enum Fill {
    static let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Donald"]

    /// A version-4 UUID from the generator's stream.
    static func uuid(_ rng: inout SplitMix64) -> String {
        var out = [UInt8]()
        out.reserveCapacity(36)
        appendUUID(&rng, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    static func appendUUID(_ rng: inout SplitMix64, to out: inout [UInt8]) {
        let a = rng.next(), b = rng.next()
        let hex = hexDigits
        for i in 0..<32 {
            if i == 8 || i == 12 || i == 16 || i == 20 { out.append(UInt8(ascii: "-")) }
            let word = i < 16 ? a : b
            var nibble = Int((word >> UInt64(60 - (i % 16) * 4)) & 0xF)
            if i == 12 { nibble = 4 }
            if i == 16 { nibble = 8 | (nibble & 3) }
            out.append(hex[nibble])
        }
    }

    /// UTC RFC 3339 without a formatter: this runs once per generated message.
    /// The same text as `timestamp`, appended without making strings.
    static func appendTimestamp(_ epochSeconds: Int64, to out: inout [UInt8]) {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) { out.append(UInt8(ascii: "0") + UInt8(v / 10)); out.append(UInt8(ascii: "0") + UInt8(v % 10)) }
        UserEventGenerator.appendDecimal(UInt64(parts.tm_year + 1900), to: &out)
        out.append(UInt8(ascii: "-")); two(parts.tm_mon + 1)
        out.append(UInt8(ascii: "-")); two(parts.tm_mday)
        out.append(UInt8(ascii: "T")); two(parts.tm_hour)
        out.append(UInt8(ascii: ":")); two(parts.tm_min)
        out.append(UInt8(ascii: ":")); two(parts.tm_sec)
        out.append(UInt8(ascii: "Z"))
    }

    static func timestamp(_ epochSeconds: Int64) -> String {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    static func date(_ epochSeconds: Int64) -> String { String(timestamp(epochSeconds).prefix(10)) }

    static func letters(_ count: Int, _ rng: inout SplitMix64) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet[Int(rng.next() % 26)] })
    }

    static let placeholderKinds = ["seq", "uuid", "int", "float", "bool", "choice", "timestamp", "date", "email", "name", "string"]

    static func validateTemplate(_ value: JSONValue, path: String) throws {
        switch value {
        case let .string(s):
            var rest = Substring(s)
            while let open = rest.range(of: "{{") {
                guard let close = rest[open.upperBound...].range(of: "}}") else {
                    throw StreamcheckError("schema_file \(path): unclosed placeholder in \"\(s)\"")
                }
                let body = rest[open.upperBound..<close.lowerBound]
                let kind = body.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
                guard placeholderKinds.contains(kind) else {
                    throw StreamcheckError("schema_file \(path): unknown placeholder {{\(body)}}; known: \(placeholderKinds.joined(separator: ", "))")
                }
                if kind == "int" || kind == "float" {
                    let parts = body.split(separator: ":")
                    guard parts.count == 3, Double(parts[1]) != nil, Double(parts[2]) != nil, Double(parts[1])! <= Double(parts[2])! else {
                        throw StreamcheckError("schema_file \(path): {{\(body)}} must be {{\(kind):MIN:MAX}} with MIN <= MAX")
                    }
                }
                rest = rest[close.upperBound...]
            }
        case let .array(items): try items.forEach { try validateTemplate($0, path: path) }
        case let .object(members): try members.forEach { try validateTemplate($0.1, path: path) }
        default: break
        }
    }

    static func placeholder(_ body: Substring, seq: Int, rng: inout SplitMix64) -> JSONValue {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "seq": return .int(Int64(seq))
        case "uuid": return .string(uuid(&rng))
        case "int":
            let lo = Int64(Double(parts[1])!), hi = Int64(Double(parts[2])!)
            return .int(lo + Int64(rng.next() % UInt64(hi - lo + 1)))
        case "float":
            let lo = Double(parts[1])!, hi = Double(parts[2])!
            let unit = Double(rng.next() % 1_000_000) / 1_000_000
            return .double(((lo + (hi - lo) * unit) * 100).rounded() / 100)
        case "bool": return .bool(rng.next() & 1 == 1)
        case "choice":
            let options = parts.dropFirst().joined(separator: ":").split(separator: "|").map(String.init)
            return .string(options.isEmpty ? "" : options[Int(rng.next() % UInt64(options.count))])
        case "timestamp": return .string(timestamp(UserEventGenerator.baseEpoch + Int64(seq)))
        case "date": return .string(date(UserEventGenerator.baseEpoch + Int64(seq) * 86_400))
        case "email": return .string("\(firstNames[Int(rng.next() % 10)].lowercased()).\(seq)@example.com")
        case "name": return .string(firstNames[Int(rng.next() % 10)])
        case "string": return .string(letters(Int(parts.count > 1 ? Int(parts[1]) ?? 8 : 8), &rng))
        default: return .string("")
        }
    }

    static func template(_ value: JSONValue, seq: Int, rng: inout SplitMix64) -> JSONValue {
        switch value {
        case let .string(s):
            guard s.contains("{{") else { return value }
            if s.hasPrefix("{{"), s.hasSuffix("}}"), s.dropFirst(2).range(of: "{{") == nil {
                return placeholder(s.dropFirst(2).dropLast(2), seq: seq, rng: &rng)
            }
            var out = ""
            var rest = Substring(s)
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                out += rest[..<open.lowerBound]
                let filled = placeholder(rest[open.upperBound..<close.lowerBound], seq: seq, rng: &rng)
                out += filled.stringValue ?? filled.encoded()
                rest = rest[close.upperBound...]
            }
            return .string(out + rest)
        case let .array(items): return .array(items.map { template($0, seq: seq, rng: &rng) })
        case let .object(members): return .object(members.map { ($0.0, template($0.1, seq: seq, rng: &rng)) })
        default: return value
        }
    }

    static func sample(_ value: JSONValue, seq: Int, rng: inout SplitMix64) -> JSONValue {
        switch value {
        case let .string(s):
            if s.count == 36, s.filter({ $0 == "-" }).count == 4 { return .string(uuid(&rng)) }
            if s.contains("@") { return .string("\(firstNames[Int(rng.next() % 10)].lowercased()).\(seq)@example.com") }
            if s.count >= 20, s.dropFirst(4).hasPrefix("-"), s.contains("T") { return .string(timestamp(UserEventGenerator.baseEpoch + Int64(seq))) }
            return .string("\(s)-\(seq)")
        case let .int(i):
            let span = UInt64(max(abs(i) * 2, 10))
            return .int(Int64(rng.next() % span))
        case let .double(d):
            let span = max(abs(d) * 2, 10)
            return .double((Double(rng.next() % 1_000_000) / 1_000_000 * span * 100).rounded() / 100)
        case .bool: return .bool(rng.next() & 1 == 1)
        case let .array(items): return .array(items.map { sample($0, seq: seq, rng: &rng) })
        case let .object(members): return .object(members.map { ($0.0, sample($0.1, seq: seq, rng: &rng)) })
        case .null: return .null
        }
    }

    static func fromSchema(_ schema: JSONValue, seq: Int, rng: inout SplitMix64, depth: Int = 0) -> JSONValue {
        if let c = schema["const"] { return c }
        if let options = schema["enum"]?.arrayValue, !options.isEmpty { return options[Int(rng.next() % UInt64(options.count))] }
        var type = schema["type"]?.stringValue
        if type == nil, let types = schema["type"]?.arrayValue { type = types.compactMap(\.stringValue).first(where: { $0 != "null" }) }
        if type == nil, schema["properties"] != nil { type = "object" }
        switch type {
        case "object":
            guard depth < 16 else { return .object([]) }
            let props = schema["properties"]?.objectValue ?? []
            return .object(props.map { ($0.0, fromSchema($0.1, seq: seq, rng: &rng, depth: depth + 1)) })
        case "array":
            let minItems = Int(schema["minItems"]?.int64Value ?? 1)
            let maxItems = Int(schema["maxItems"]?.int64Value ?? Int64(max(minItems, 3)))
            let count = minItems + Int(rng.next() % UInt64(max(maxItems - minItems + 1, 1)))
            let items = schema["items"] ?? .object([("type", .string("string"))])
            return .array((0..<count).map { _ in fromSchema(items, seq: seq, rng: &rng, depth: depth + 1) })
        case "integer":
            let lo = schema["minimum"]?.int64Value ?? 0
            let hi = schema["maximum"]?.int64Value ?? max(lo, 0) + 10_000
            return .int(lo + Int64(rng.next() % UInt64(max(hi - lo + 1, 1))))
        case "number":
            let lo = schema["minimum"]?.doubleValue ?? 0
            let hi = schema["maximum"]?.doubleValue ?? lo + 10_000
            let unit = Double(rng.next() % 1_000_000) / 1_000_000
            return .double(min(hi, ((lo + (hi - lo) * unit) * 100).rounded() / 100))
        case "boolean": return .bool(rng.next() & 1 == 1)
        case "null": return .null
        default:
            switch schema["format"]?.stringValue {
            case "uuid": return .string(uuid(&rng))
            case "date-time": return .string(timestamp(UserEventGenerator.baseEpoch + Int64(seq)))
            case "date": return .string(date(UserEventGenerator.baseEpoch + Int64(seq) * 86_400))
            case "email": return .string("\(firstNames[Int(rng.next() % 10)].lowercased()).\(seq)@example.com")
            default:
                let minLength = Int(schema["minLength"]?.int64Value ?? 4)
                let maxLength = Int(schema["maxLength"]?.int64Value ?? Int64(max(minLength, 12)))
                let length = minLength + Int(rng.next() % UInt64(max(maxLength - minLength + 1, 1)))
                return .string(letters(length, &rng))
            }
        }
    }
}

/// JSON lines sent as they are: record `seq` is line `seq` (blank lines skipped).
public struct DataFileRecords {
    public let path: String
    let records: [JSONValue]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("cannot read data_file \(path): no such file or not readable")
        }
        var records: [JSONValue] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do { records.append(try JSONValue.parse(bytes: Array(line))) } catch {
                throw StreamcheckError("data_file \(path) line \(lineNumber) is not valid JSON: \(error)")
            }
        }
        if records.isEmpty { throw StreamcheckError("data_file \(path) holds no records") }
        self.path = path
        self.records = records
    }

    public var count: Int { records.count }

    public func record(at seq: Int) throws -> JSONValue {
        guard seq >= 0, seq < records.count else {
            throw StreamcheckError("data_file \(path) has \(records.count) records; message \(seq) does not exist")
        }
        return records[seq]
    }
}
