import Foundation
import TerraformIO

/// Type-tolerant comparison of an expected field value with what a sink holds. Sinks change
/// types on the way (a JDBC sink writes numbers to NUMERIC, timestamps to TIMESTAMPTZ, JSON to
/// TEXT), so "the same value" means: equal numbers whatever their spelling, the same instant
/// whatever the timestamp format, booleans as t/f, nested JSON parsed from text.
public enum FieldMatch {
    public static func matches(_ expected: JSONValue, _ found: JSONValue) -> Bool {
        if expected == found { return true }
        switch (expected, found) {
        case (.null, _), (_, .null):
            return false
        case let (.array(a), .array(b)):
            return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
        case let (.object(a), .object(b)):
            guard a.count == b.count else { return false }
            return a.allSatisfy { key, value in
                guard let other = b.first(where: { $0.0 == key })?.1 else { return false }
                return matches(value, other)
            }
        case let (.object, .string(text)), let (.array, .string(text)):
            guard let parsed = try? JSONValue.parse(text), parsed.objectValue != nil || parsed.arrayValue != nil else { return false }
            return matches(expected, parsed)
        case let (.string(text), .object), let (.string(text), .array):
            guard let parsed = try? JSONValue.parse(text) else { return false }
            return matches(parsed, found)
        case let (.bool(b), .string(text)), let (.string(text), .bool(b)):
            return parseBool(text) == b
        case let (.bool(b), .int(i)), let (.int(i), .bool(b)):
            return (i == 1 && b) || (i == 0 && !b)
        case let (.string(a), .string(b)):
            // Two decimal texts (a NUMERIC column, a decimal logical type): exactly equal values,
            // whatever trailing zeros; a tolerance is for floats only.
            if let x = decimalText(a), let y = decimalText(b) { return x == y }
            if let x = number(a), let y = number(b) { return numbersEqual(x, y) }
            if let x = Timestamp.parseMicros(a), let y = Timestamp.parseMicros(b) { return x == y }
            // TIME columns: 12:34:56.789 is 12:34:56.789000.
            if let x = timeOfDayMicros(a), let y = timeOfDayMicros(b) { return x == y }
            return false
        default:
            break
        }
        // A number against a number or a numeric string.
        if let x = number(expected), let y = number(found) { return numbersEqual(x, y) }
        // Epoch milliseconds against a timestamp text (JDBC sinks write Timestamp logical types).
        if case let .int(ms) = expected, case let .string(text) = found, let micros = Timestamp.parseMicros(text) { return ms * 1000 == micros }
        if case let .string(text) = expected, case let .int(ms) = found, let micros = Timestamp.parseMicros(text) { return ms * 1000 == micros }
        return false
    }

    /// A plain decimal literal (-12.340, 7) normalised: no leading or trailing zeros, no "-0".
    static func decimalText(_ text: String) -> String? {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        let negative = t.hasPrefix("-")
        if negative || t.hasPrefix("+") { t = t.dropFirst() }
        let parts = t.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), parts.contains(where: { !$0.isEmpty }) else { return nil }
        var whole = String(parts[0].drop { $0 == "0" })
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if whole.isEmpty { whole = "0" }
        let body = fraction.isEmpty ? whole : whole + "." + fraction
        return negative && body != "0" ? "-" + body : body
    }

    /// HH:MM:SS with an optional fraction, as microseconds since midnight.
    static func timeOfDayMicros(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 2, parts[1].count == 2, let h = Int64(parts[0]), let m = Int64(parts[1]) else { return nil }
        let secondParts = parts[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard secondParts[0].count == 2, let s = Int64(secondParts[0]) else { return nil }
        var fraction: Int64 = 0
        if secondParts.count == 2 {
            let digits = secondParts[1]
            guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isNumber), let f = Int64(digits) else { return nil }
            fraction = f * Int64(pow(10.0, Double(6 - digits.count)))
        }
        return ((h * 60 + m) * 60 + s) * 1_000_000 + fraction
    }

    enum Number { case int(Int64), double(Double) }

    static func number(_ value: JSONValue) -> Number? {
        switch value {
        case let .int(i): return .int(i)
        case let .double(d): return .double(d)
        case let .string(s): return number(s)
        default: return nil
        }
    }

    static func number(_ text: String) -> Number? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let first = t.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        if let i = Int64(t) { return .int(i) }
        if let d = Double(t), d.isFinite { return .double(d) }
        return nil
    }

    static func numbersEqual(_ a: Number, _ b: Number) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return x == y
        default:
            let x = double(a), y = double(b)
            if x == y { return true }
            // float4 columns and decimal text lose the last digits of a double.
            return abs(x - y) <= 1e-6 * max(abs(x), abs(y))
        }
    }

    static func double(_ n: Number) -> Double {
        switch n {
        case let .int(i): return Double(i)
        case let .double(d): return d
        }
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "t", "true", "1", "yes", "y", "on": return true
        case "f", "false", "0", "no", "n", "off": return false
        default: return nil
        }
    }

    /// A key as text that compares equal across types: 42, 42.0 and "42" are all "42".
    public static func keyText(_ value: JSONValue) -> String {
        switch value {
        case let .string(s):
            if case let .int(i)? = number(s) { return String(i) }
            return s
        case let .int(i): return String(i)
        case let .double(d): return d == d.rounded() && abs(d) < 9.0e15 ? String(Int64(d)) : "\(d)"
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        default: return ContentDigest.canonicalJSON(value)
        }
    }

    /// A value as shown in a mismatch sample: strings as they are, anything else as JSON.
    public static func display(_ value: JSONValue?) -> String {
        guard let value else { return "<absent>" }
        if case let .string(s) = value { return s.count > 120 ? String(s.prefix(120)) + "..." : s }
        let text = value.encoded()
        return text.count > 120 ? String(text.prefix(120)) + "..." : text
    }
}

/// Timestamps as sinks write them: `2024-05-01T10:00:00Z`, `2024-05-01 10:00:00.123+02`,
/// `2024-05-01 10:00:00` (no zone: UTC), `2024-05-01`. Compared as instants in microseconds.
public enum Timestamp {
    public static func parseMicros(_ text: String) -> Int64? {
        let b = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48, c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")), let day = digits(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var micros = daysFromCivil(year, month, day) * 86_400_000_000
        if i == b.count { return micros }
        guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else { return nil }
        i += 1
        guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), hour < 24, minute < 60 else { return nil }
        micros += (hour * 3600 + minute * 60) * 1_000_000
        if expect(UInt8(ascii: ":")) {
            guard let second = digits(2), second < 61 else { return nil }
            micros += second * 1_000_000
            if expect(UInt8(ascii: ".")) || expect(UInt8(ascii: ",")) {
                var scale: Int64 = 100_000
                var any = false
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    micros += Int64(b[i] - 48) * scale
                    scale /= 10
                    i += 1
                    any = true
                }
                guard any else { return nil }
            }
        }
        if i == b.count { return micros }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
            return i == b.count ? micros : nil
        }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign: Int64 = b[i] == UInt8(ascii: "+") ? 1 : -1
        i += 1
        guard let offsetHours = digits(2) else { return nil }
        var offset = offsetHours * 3600
        _ = expect(UInt8(ascii: ":"))
        if let offsetMinutes = digits(2) { offset += offsetMinutes * 60 }
        guard i == b.count else { return nil }
        return micros - sign * offset * 1_000_000
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
