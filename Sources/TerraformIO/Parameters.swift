import Foundation

/// One parameter of an operation. The same spec serves the CLI (`--message-count`) and the
/// external data source query (`message_count`), so both ways in accept and reject the same things.
public struct ParameterSpec: Sendable {
    public enum Kind: Sendable {
        case string
        case path
        /// A folder (created when missing where the operation says so).
        case directory
        case integer(ClosedRange<Int64>)
        case number(ClosedRange<Double>)
        case boolean
        case choice([String])
        /// Seconds, written as `500ms`, `30s`, `5m`, `1h` or a bare number of seconds.
        case duration(ClosedRange<Double>)
        /// `key=value` pairs: repeated `-X key=value` on the CLI, a JSON-encoded string map in a query.
        case keyValues
        /// A list of strings: the flag repeated on the CLI, a comma-separated string in a query.
        case list
        /// A Kafka topic name, as Kafka allows it: 1 to 249 of a-z A-Z 0-9 . _ -, not . or ..
        case topic
        /// A URL (scheme://host...) that carries no credentials: user:password@ in a URL would
        /// be printed in logs and kept in reports and Terraform state.
        case url
    }

    public let key: String
    public let kind: Kind
    public let required: Bool
    public let help: String

    public init(_ key: String, _ kind: Kind, required: Bool = false, help: String) {
        self.key = key
        self.kind = kind
        self.required = required
        self.help = help
    }

    public var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    public var allowedValues: String {
        switch kind {
        case .string: return "a string"
        case .path: return "a file path"
        case .directory: return "a folder path"
        case let .integer(range): return "an integer from \(range.lowerBound) to \(range.upperBound)"
        case let .number(range): return "a number from \(JSONValue.format(range.lowerBound)) to \(JSONValue.format(range.upperBound))"
        case .boolean: return "true or false"
        case let .choice(values): return "one of " + values.joined(separator: ", ")
        case let .duration(range): return "a duration such as 30s, 500ms or 5m, from \(Duration.describe(range.lowerBound)) to \(Duration.describe(range.upperBound))"
        case .keyValues: return "key=value pairs (a JSON-encoded object of strings in a query)"
        case .list: return "a list (repeat the flag, or comma-separated in a query)"
        case .topic: return "a Kafka topic name: 1 to 249 of a-z A-Z 0-9 . _ - (not . or ..)"
        case .url: return "a URL such as https://host:port/path, without user:password@"
        }
    }
}

/// Where parameters came from, so messages name them as the user wrote them.
public enum ParameterSource: Sendable {
    case commandLine
    case query

    public func name(_ spec: ParameterSpec) -> String {
        self == .commandLine ? spec.flag : spec.key
    }
    public func name(key: String) -> String {
        self == .commandLine ? "--" + key.replacingOccurrences(of: "_", with: "-") : key
    }
}

/// A bad parameter: always one line that names the parameter and what is allowed.
public struct ParameterError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Raw parameter values before validation: strings, with repeated ones kept in order.
public struct RawParameters: Sendable {
    public var values: [String: [String]] = [:]
    public let source: ParameterSource

    public init(source: ParameterSource) { self.source = source }

    public mutating func add(_ key: String, _ value: String) {
        values[key, default: []].append(value)
    }

    /// CLI words after the operation name: `--flag value`, `--flag=value`, `--bool-flag`, `-X key=value`.
    public static func fromCommandLine(_ words: [String], specs: [ParameterSpec]) throws -> RawParameters {
        var raw = RawParameters(source: .commandLine)
        let byFlag = Dictionary(specs.map { ($0.flag, $0) }, uniquingKeysWith: { a, _ in a })
        var i = 0
        while i < words.count {
            let word = words[i]
            i += 1
            if word == "-X" || word == "--kafka-config" {
                guard i < words.count else { throw ParameterError("\(word) needs a value: -X key=value (a librdkafka property)") }
                raw.add("kafka_config", words[i])
                i += 1
                continue
            }
            if word.hasPrefix("-X"), word.count > 2 {
                raw.add("kafka_config", String(word.dropFirst(2)))
                continue
            }
            guard word.hasPrefix("--") else {
                throw ParameterError("unexpected argument '\(word)': parameters are given as --name value (see --help)")
            }
            var flag = word
            var inlineValue: String?
            if let eq = word.firstIndex(of: "=") {
                flag = String(word[..<eq])
                inlineValue = String(word[word.index(after: eq)...])
            }
            guard let spec = byFlag[flag] else {
                let known = specs.map(\.flag).sorted().joined(separator: ", ")
                throw ParameterError("unknown option '\(flag)'; known options: \(known)")
            }
            if case .boolean = spec.kind, inlineValue == nil {
                // A bare boolean flag means true; an explicit value may follow as true/false.
                if i < words.count, words[i] == "true" || words[i] == "false" {
                    raw.add(spec.key, words[i]); i += 1
                } else {
                    raw.add(spec.key, "true")
                }
                continue
            }
            if let value = inlineValue {
                raw.add(spec.key, value)
            } else {
                guard i < words.count else { throw ParameterError("\(flag) needs a value: \(spec.allowedValues)") }
                raw.add(spec.key, words[i])
                i += 1
            }
        }
        return raw
    }

    /// A query from the external data source: a flat object of strings. List and key-value
    /// parameters arrive encoded in one string each (comma-separated, or a JSON object).
    public static func fromQuery(_ query: [String: String], specs: [ParameterSpec]) throws -> RawParameters {
        var raw = RawParameters(source: .query)
        let byKey = Dictionary(specs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in query.keys.sorted() {
            let value = query[key]!
            guard let spec = byKey[key] else {
                let known = specs.map(\.key).sorted().joined(separator: ", ")
                throw ParameterError("unknown query key '\(key)'; allowed keys: \(known)")
            }
            switch spec.kind {
            case .keyValues:
                if value.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                let parsed: JSONValue
                do { parsed = try JSONValue.parse(value) } catch {
                    throw ParameterError("query key '\(key)' must be a JSON-encoded object of strings, e.g. jsonencode({\"acks\" = \"all\"}): \(error)")
                }
                guard let members = parsed.objectValue else {
                    throw ParameterError("query key '\(key)' must be a JSON-encoded object of strings, e.g. jsonencode({\"acks\" = \"all\"})")
                }
                for (k, v) in members {
                    guard let s = v.stringValue else {
                        throw ParameterError("query key '\(key)': the value of '\(k)' must be a string")
                    }
                    raw.add(key, "\(k)=\(s)")
                }
            case .list:
                for item in value.split(separator: ",") {
                    let trimmed = item.trimmingCharacters(in: .whitespaces)
                    if !trimmed.isEmpty { raw.add(key, trimmed) }
                }
            default:
                raw.add(key, value)
            }
        }
        return raw
    }
}

/// Typed, validated access to parameters. Every getter checks the value against its spec
/// and throws a `ParameterError` that names the parameter and the allowed values.
public struct Parameters: Sendable {
    public let raw: RawParameters
    public let specs: [String: ParameterSpec]

    /// Parameters whose value is a JSON document (where tabs and newlines are whitespace).
    static let jsonDocuments: Set<String> = ["transforms", "offsets"]

    public init(_ raw: RawParameters, specs: [ParameterSpec]) throws {
        self.raw = raw
        self.specs = Dictionary(specs.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for spec in specs where spec.required {
            guard let values = raw.values[spec.key], let first = values.first, !first.isEmpty else {
                throw ParameterError("missing required \(raw.source == .commandLine ? "option" : "query key") '\(raw.source.name(spec))': \(spec.help)")
            }
        }
        for (key, values) in raw.values {
            guard let spec = self.specs[key] else {
                throw ParameterError("unknown parameter '\(raw.source.name(key: key))'")
            }
            // No value may hold NUL or a control character: C libraries would cut the name at
            // the NUL and act on another one, and a newline would forge lines on stderr. JSON
            // documents given as strings keep their whitespace.
            for value in values where !Parameters.jsonDocuments.contains(key) {
                if let (index, byte) = value.utf8.enumerated().first(where: { $0.element < 0x20 || $0.element == 0x7F }) {
                    throw ParameterError("\(raw.source == .commandLine ? "option" : "query key") '\(raw.source.name(spec))' holds a control character (byte 0x\(String(format: "%02x", byte)) at position \(index + 1)); names, paths and values cannot")
                }
            }
            switch spec.kind {
            case .keyValues, .list: continue
            default:
                if values.count > 1 {
                    throw ParameterError("'\(raw.source.name(spec))' was given \(values.count) times; give it once")
                }
            }
            // Validate eagerly so a bad value fails before any work starts.
            _ = try value(spec, values[0])
        }
    }

    func spec(_ key: String) -> ParameterSpec {
        guard let spec = specs[key] else { preconditionFailure("parameter '\(key)' is not declared") }
        return spec
    }

    public func name(_ key: String) -> String { raw.source.name(spec(key)) }

    public func has(_ key: String) -> Bool { raw.values[key]?.first.map { !$0.isEmpty } ?? false }

    private func single(_ key: String) -> String? {
        _ = spec(key)
        guard let value = raw.values[key]?.first, !value.isEmpty else { return nil }
        return value
    }

    private func invalid(_ spec: ParameterSpec, _ value: String) -> ParameterError {
        let shown = value.count > 60 ? String(value.prefix(60)) + "..." : value
        return ParameterError("invalid value '\(shown)' for '\(raw.source.name(spec))': expected \(spec.allowedValues)")
    }

    private func value(_ spec: ParameterSpec, _ text: String) throws -> JSONValue {
        switch spec.kind {
        case .string, .path, .directory:
            return .string(text)
        case .topic:
            guard Parameters.isTopicName(text) else { throw invalid(spec, text) }
            return .string(text)
        case .url:
            // The value is never echoed: it may hold a secret. Empty means not given.
            if !text.isEmpty, let problem = Parameters.urlProblem(text) {
                throw ParameterError("invalid value for '\(raw.source.name(spec))': \(problem)")
            }
            return .string(text)
        case let .integer(range):
            guard let i = Int64(text.trimmingCharacters(in: .whitespaces)), range.contains(i) else { throw invalid(spec, text) }
            return .int(i)
        case let .number(range):
            guard let d = Double(text.trimmingCharacters(in: .whitespaces)), d.isFinite, range.contains(d) else { throw invalid(spec, text) }
            return .double(d)
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: throw invalid(spec, text)
            }
        case let .choice(values):
            guard values.contains(text) else { throw invalid(spec, text) }
            return .string(text)
        case let .duration(range):
            guard let seconds = Duration.parseSeconds(text), range.contains(seconds) else { throw invalid(spec, text) }
            return .double(seconds)
        case .keyValues:
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw ParameterError("invalid '\(raw.source.name(spec))' entry '\(text)': expected key=value")
            }
            return .string(text)
        case .list:
            return .string(text)
        }
    }

    /// Why a URL is refused, or nil: it needs scheme://host, and no credentials in it.
    public static func urlProblem(_ text: String) -> String? {
        guard let schemeEnd = text.range(of: "://"), !text[..<schemeEnd.lowerBound].isEmpty,
              text[..<schemeEnd.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "+") }) else {
            return "expected a URL such as https://host:port/path"
        }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") {
            return "the URL carries credentials (user:password@host), which would be printed in logs and kept in reports and Terraform state; remove them and set them in the environment (see --help)"
        }
        if authority.isEmpty { return "the URL has no host" }
        return nil
    }

    /// Kafka's own rule for topic names (kafka.common.internals.Topic.validate).
    public static func isTopicName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 249, name != ".", name != ".." else { return false }
        return bytes.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
    }

    public func string(_ key: String) -> String? { single(key) }

    public func requiredString(_ key: String) throws -> String {
        guard let v = single(key) else { throw ParameterError("missing required '\(name(key))': \(spec(key).help)") }
        return v
    }

    public func int(_ key: String) throws -> Int? {
        guard let text = single(key) else { return nil }
        return Int(try value(spec(key), text).int64Value!)
    }

    public func double(_ key: String) throws -> Double? {
        guard let text = single(key) else { return nil }
        return try value(spec(key), text).doubleValue
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let text = single(key) else { return nil }
        return try value(spec(key), text).boolValue
    }

    /// Seconds.
    public func duration(_ key: String) throws -> Double? {
        guard let text = single(key) else { return nil }
        return try value(spec(key), text).doubleValue
    }

    public func list(_ key: String) -> [String] {
        _ = spec(key)
        return (raw.values[key] ?? []).filter { !$0.isEmpty }
    }

    /// Ordered key=value pairs.
    public func keyValues(_ key: String) throws -> [(String, String)] {
        try list(key).map { entry in
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex else {
                throw ParameterError("invalid '\(name(key))' entry '\(entry)': expected key=value")
            }
            return (String(entry[..<eq]), String(entry[entry.index(after: eq)...]))
        }
    }
}

public enum Duration {
    /// `250ms`, `30s`, `5m`, `1h`, or a bare number of seconds.
    public static func parseSeconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            let number = t.dropLast(suffix.count)
            guard let d = Double(number), d.isFinite, d >= 0 else { return nil }
            return d * factor
        }
        guard let d = Double(t), d.isFinite, d >= 0 else { return nil }
        return d
    }

    public static func describe(_ seconds: Double) -> String {
        if seconds < 1 { return "\(JSONValue.format(seconds * 1000))ms" }
        if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        return "\(JSONValue.format(seconds))s"
    }
}
