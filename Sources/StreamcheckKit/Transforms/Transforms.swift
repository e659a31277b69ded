import Foundation
import TerraformIO

/// A declared expectation of what a connector's single message transforms do to each record.
/// Applied to the manifest's regenerated records it gives what the sink (or topic) must hold.
/// Each step mirrors a Kafka Connect SMT on a schemaless value, top-level fields only
/// (Flatten aside). The file is a JSON array of one-key objects, the key naming the step:
///   {"rename":  {"from": "a", "to": "b"}}          ReplaceField$Value renames
///   {"drop":    ["a", "b"]}                         ReplaceField$Value exclude
///   {"cast":    {"field": "a", "type": "int64"}}    Cast$Value (int8 int16 int32 int64 float32 float64 boolean string)
///   {"insert":  {"field": "a", "value": "x"}}       InsertField$Value static.field / static.value
///   {"mask":    {"field": "a", "replacement": "*"}} MaskField$Value (replacement optional)
///   {"flatten": {"delimiter": "_"}}                 Flatten$Value (delimiter optional, default ".")
public enum TransformStep: Equatable, Sendable {
    case rename(from: String, to: String)
    case drop([String])
    case cast(field: String, type: CastType)
    case insert(field: String, value: JSONValue)
    case mask(field: String, replacement: String?)
    case flatten(delimiter: String)

    public enum CastType: String, CaseIterable, Sendable {
        case int8, int16, int32, int64, float32, float64, boolean, string
    }
}

public struct TransformError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct TransformChain: Equatable, Sendable {
    public let steps: [TransformStep]
    public init(_ steps: [TransformStep]) { self.steps = steps }

    public var isEmpty: Bool { steps.isEmpty }

    /// The `transforms` parameter: JSON text (starts with `[` or `{`) or a path to a JSON file.
    /// The document is an array of steps, or an object `{"transforms": [steps]}`.
    public static func load(parameter: String) throws -> TransformChain {
        let trimmed = parameter.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("[") || trimmed.hasPrefix("{") {
            return try parse(trimmed, source: "transforms")
        }
        guard let data = FileManager.default.contents(atPath: trimmed) else {
            throw TransformError("transforms: cannot read file '\(trimmed)'; give a path to a JSON file or the JSON text itself")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: "transforms file '\(trimmed)'")
    }

    public static func parse(_ text: String, source: String = "transforms") throws -> TransformChain {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch {
            throw TransformError("\(source) is not valid JSON: \(error)")
        }
        let list: [JSONValue]
        if let array = document.arrayValue {
            list = array
        } else if let array = document["transforms"]?.arrayValue {
            list = array
        } else if let config = ConnectTransformConfig.configObject(document) {
            return TransformChain(try ConnectTransformConfig.steps(config, source: source))
        } else {
            throw TransformError("\(source) must be a JSON array of steps, {\"transforms\": [steps]}, or a Kafka Connect connector config with \"transforms\": \"a,b\"")
        }
        return TransformChain(try list.enumerated().map { try parseStep($1, number: $0 + 1, source: source) })
    }

    static func parseStep(_ step: JSONValue, number: Int, source: String) throws -> TransformStep {
        let known = "rename, drop, cast, insert, mask, flatten"
        guard let members = step.objectValue, members.count == 1, let (type, body) = members.first else {
            throw TransformError("\(source) step \(number): must be an object with one key, the step type (one of \(known)), e.g. {\"rename\": {\"from\": \"a\", \"to\": \"b\"}}")
        }
        func fail(_ text: String) -> TransformError { TransformError("\(source) step \(number) (\(type)): \(text)") }
        func string(_ key: String) throws -> String {
            guard let v = body[key]?.stringValue, !v.isEmpty else { throw fail("needs a non-empty string \"\(key)\"") }
            return v
        }
        func onlyKeys(_ keys: Set<String>) throws {
            guard let object = body.objectValue else { throw fail("must be an object with \(keys.sorted().joined(separator: ", "))") }
            for (key, _) in object where !keys.contains(key) {
                throw fail("unknown key \"\(key)\"; allowed: \(keys.sorted().joined(separator: ", "))")
            }
        }
        switch type {
        case "rename":
            try onlyKeys(["from", "to"])
            return .rename(from: try string("from"), to: try string("to"))
        case "drop":
            let list = body.arrayValue ?? body.stringValue.map { [JSONValue.string($0)] }
            guard let list, !list.isEmpty else { throw fail("needs a non-empty array of field names, e.g. {\"drop\": [\"a\", \"b\"]}") }
            return .drop(try list.map { guard let s = $0.stringValue, !s.isEmpty else { throw fail("field names must be non-empty strings") }; return s })
        case "cast":
            try onlyKeys(["field", "type"])
            let target = try string("type")
            guard let castType = TransformStep.CastType(rawValue: target) else {
                throw fail("unknown type '\(target)'; use one of \(TransformStep.CastType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return .cast(field: try string("field"), type: castType)
        case "insert":
            try onlyKeys(["field", "value"])
            guard let value = body["value"] else { throw fail("needs \"value\" (Kafka Connect's static.value is a string)") }
            return .insert(field: try string("field"), value: value)
        case "mask":
            try onlyKeys(["field", "replacement"])
            if let r = body["replacement"], r.stringValue == nil { throw fail("\"replacement\" must be a string") }
            return .mask(field: try string("field"), replacement: body["replacement"]?.stringValue)
        case "flatten":
            try onlyKeys(["delimiter"])
            if let d = body["delimiter"], d.stringValue == nil { throw fail("\"delimiter\" must be a string") }
            return .flatten(delimiter: body["delimiter"]?.stringValue ?? ".")
        default:
            throw fail("unknown step type; use one of \(known)")
        }
    }

    /// The record after every step, in order. Steps on absent fields do nothing, as the
    /// schemaless SMTs do.
    public func apply(_ record: JSONValue) throws -> JSONValue {
        try steps.reduce(record) { try Transforms.apply($1, to: $0) }
    }
}

public enum Transforms {
    public static func apply(_ step: TransformStep, to record: JSONValue) throws -> JSONValue {
        guard var fields = record.objectValue else {
            throw TransformError("transforms apply to records that are JSON objects; got \(ExternalProtocol.typeName(record))")
        }
        switch step {
        case let .rename(from, to):
            guard let index = fields.firstIndex(where: { $0.0 == from }) else { return record }
            // A renamed field replaces any other field that already had the new name.
            let value = fields[index].1
            fields = fields.enumerated().compactMap { i, field in
                i == index ? (to, value) : (field.0 == to ? nil : field)
            }
        case let .drop(names):
            fields.removeAll { names.contains($0.0) }
        case let .cast(field, type):
            guard let index = fields.firstIndex(where: { $0.0 == field }) else { return record }
            fields[index].1 = try cast(fields[index].1, to: type, field: field)
        case let .insert(field, value):
            if let index = fields.firstIndex(where: { $0.0 == field }) { fields[index].1 = value } else { fields.append((field, value)) }
        case let .mask(field, replacement):
            guard let index = fields.firstIndex(where: { $0.0 == field }) else { return record }
            fields[index].1 = try mask(fields[index].1, replacement: replacement, field: field)
        case let .flatten(delimiter):
            var flat: [(String, JSONValue)] = []
            flatten(fields, prefix: nil, delimiter: delimiter, into: &flat)
            fields = flat
        }
        return .object(fields)
    }

    static func flatten(_ fields: [(String, JSONValue)], prefix: String?, delimiter: String, into out: inout [(String, JSONValue)]) {
        for (name, value) in fields {
            let full = prefix.map { $0 + delimiter + name } ?? name
            if let nested = value.objectValue {
                flatten(nested, prefix: full, delimiter: delimiter, into: &out)
            } else {
                out.append((full, value))
            }
        }
    }

    /// Cast$Value semantics on schemaless values: numbers narrow by truncation and wrap like
    /// Java's primitive casts, strings parse, booleans become 1/0, and anything becomes text.
    public static func cast(_ value: JSONValue, to type: TransformStep.CastType, field: String) throws -> JSONValue {
        func fail() -> TransformError {
            TransformError("cast of field '\(field)' to \(type.rawValue): cannot convert \(ExternalProtocol.typeName(value)) \(value.encoded().prefix(40))")
        }
        if case .null = value { return .null }
        switch type {
        case .int8, .int16, .int32, .int64:
            let wide: Int64
            switch value {
            case let .int(i): wide = i
            case let .double(d):
                guard d.isFinite else { throw fail() }
                wide = d >= 9.2e18 ? Int64.max : d <= -9.2e18 ? Int64.min : Int64(d.rounded(.towardZero))
            case let .bool(b): wide = b ? 1 : 0
            case let .string(s):
                guard let parsed = Int64(s.trimmingCharacters(in: .whitespaces)) else { throw fail() }
                wide = parsed
            default: throw fail()
            }
            switch type {
            case .int8: return .int(Int64(Int8(truncatingIfNeeded: wide)))
            case .int16: return .int(Int64(Int16(truncatingIfNeeded: wide)))
            case .int32: return .int(Int64(Int32(truncatingIfNeeded: wide)))
            default: return .int(wide)
            }
        case .float32, .float64:
            let d: Double
            switch value {
            case let .int(i): d = Double(i)
            case let .double(x): d = x
            case let .bool(b): d = b ? 1 : 0
            case let .string(s):
                guard let parsed = Double(s.trimmingCharacters(in: .whitespaces)) else { throw fail() }
                d = parsed
            default: throw fail()
            }
            return .double(type == .float32 ? Double(Float(d)) : d)
        case .boolean:
            switch value {
            case let .bool(b): return .bool(b)
            case let .int(i): return .bool(i != 0)
            case let .double(d): return .bool(d != 0)
            // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
            case let .string(s): return .bool(s.lowercased() == "true")
            default: throw fail()
            }
        case .string:
            switch value {
            case let .string(s): return .string(s)
            case let .bool(b): return .string(b ? "true" : "false")
            case let .int(i): return .string(String(i))
            case let .double(d): return .string(javaDoubleString(d))
            default: throw fail()
            }
        }
    }

    /// Java's Double.toString for the common range: integral values keep ".0".
    static func javaDoubleString(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e7 { return String(format: "%.1f", d) }
        return "\(d)"
    }

    /// MaskField$Value: the field keeps its type but loses its value: "" / 0 / false / [] / {},
    /// or the replacement (strings take it as is, numbers parse it). Null stays null.
    public static func mask(_ value: JSONValue, replacement: String?, field: String) throws -> JSONValue {
        switch value {
        case .null: return .null
        case .string: return .string(replacement ?? "")
        case .int:
            guard let replacement else { return .int(0) }
            guard let i = Int64(replacement) else {
                throw TransformError("mask of field '\(field)': replacement '\(replacement)' is not an integer, but the field holds integers")
            }
            return .int(i)
        case .double:
            guard let replacement else { return .double(0) }
            guard let d = Double(replacement) else {
                throw TransformError("mask of field '\(field)': replacement '\(replacement)' is not a number, but the field holds numbers")
            }
            return .double(d)
        case .bool:
            if replacement != nil { throw TransformError("mask of field '\(field)': a replacement cannot apply to a boolean field (Kafka Connect refuses it too)") }
            return .bool(false)
        case .array:
            if replacement != nil { throw TransformError("mask of field '\(field)': a replacement cannot apply to an array field") }
            return .array([])
        case .object:
            if replacement != nil { throw TransformError("mask of field '\(field)': a replacement cannot apply to an object field") }
            return .object([])
        }
    }
}
