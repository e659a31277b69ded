import Avro
import Foundation
import TerraformIO

/// An Avro record as a JDBC sink stores it: Confluent's AvroConverter turns the logical types
/// into Connect's Date, Time, Timestamp and Decimal, and the sink writes those to DATE, TIME,
/// TIMESTAMP and NUMERIC columns. In Avro's JSON form they are plain numbers and byte strings
/// (a date is days since 1970, a decimal its unscaled two's-complement bytes), which no column
/// text equals; compared in this form, the same value matches (issue 11: DATE and NUMERIC
/// columns were reported changed).
enum AvroSQLForm {
    static func convert(_ value: JSONValue, _ type: AvroType, _ schema: AvroSchema) -> JSONValue {
        switch schema.resolve(type) {
        case let .logical(logical, base):
            switch (logical, value) {
            case let (.date, .int(days)):
                return .string(Self.date(days: days))
            case let (.timeMillis, .int(ms)):
                return .string(Self.time(micros: ms * 1000))
            case let (.timeMicros, .int(us)):
                return .string(Self.time(micros: us))
            case let (.timestampMicros, .int(us)):
                return .string(Self.timestamp(micros: us))
            case let (.decimal(_, scale), .string(bytes)):
                return Self.decimal(bytes, scale: scale).map(JSONValue.string) ?? value
            default:
                return convert(value, base, schema)
            }
        case let .record(_, fields):
            guard let members = value.objectValue else { return value }
            return .object(members.map { name, v in
                (name, fields.first(where: { $0.name == name }).map { convert(v, $0.type, schema) } ?? v)
            })
        case let .array(items):
            return .array((value.arrayValue ?? []).map { convert($0, items, schema) })
        case let .map(values):
            return .object((value.objectValue ?? []).map { ($0.0, convert($0.1, values, schema)) })
        case let .union(branches):
            // Avro's JSON form here is the bare value; the branch is the first one it fits.
            guard let branch = schema.branch(of: value, in: branches) else { return value }
            return convert(value, branch, schema)
        default:
            return value
        }
    }

    static func date(days: Int64) -> String { Fill.date(days * 86_400) }

    static func time(micros: Int64) -> String {
        let seconds = micros / 1_000_000, fraction = micros % 1_000_000
        return String(format: "%02lld:%02lld:%02lld.%06lld", seconds / 3600, seconds / 60 % 60, seconds % 60, fraction)
    }

    static func timestamp(micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        // Fill.timestamp ends in "Z": the fraction goes before it.
        return String(Fill.timestamp(seconds).dropLast()) + String(format: ".%06lldZ", micros - seconds * 1_000_000)
    }

    /// The unscaled big-endian two's-complement integer (Avro's JSON form: one code point per
    /// byte), written with `scale` digits after the point. Nil beyond 38 digits' worth of bytes.
    static func decimal(_ text: String, scale: Int) -> String? {
        let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var magnitude: [UInt8] = bytes
        let negative = bytes[0] & 0x80 != 0
        if negative {  // two's complement: invert and add one
            magnitude = magnitude.map { ~$0 }
            var i = magnitude.count - 1
            while i >= 0 { magnitude[i] &+= 1; if magnitude[i] != 0 { break }; i -= 1 }
        }
        // Decimal digits of the magnitude by repeated division by 10.
        var digits: [UInt8] = []
        var number = magnitude
        while number.contains(where: { $0 != 0 }) {
            var remainder = 0
            for i in number.indices {
                let current = remainder * 256 + Int(number[i])
                number[i] = UInt8(current / 10)
                remainder = current % 10
            }
            digits.append(UInt8(remainder))
        }
        var text = digits.isEmpty ? "0" : String(digits.reversed().map { Character(String($0)) })
        if scale > 0 {
            if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
            text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
        }
        return (negative ? "-" : "") + text
    }
}
