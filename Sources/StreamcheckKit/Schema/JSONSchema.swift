import Foundation
import TerraformIO

/// One way a JSON document breaks a JSON Schema: where (a JSON pointer into the document,
/// "" for the whole) and what.
public struct SchemaViolation: Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "\(path.isEmpty ? "/" : path): \(message)" }
}

/// A JSON Schema (draft 2020-12) validator for the subset streamcheck supports: type,
/// properties, required, additionalProperties, enum, const, items, minimum/maximum
/// (and exclusive ones), minLength/maxLength, pattern, format date-time/uuid/email.
/// Other keywords are listed in `unsupportedKeywords` (docs/avro.md names them) and ignored;
/// `$ref`, `allOf`, `anyOf`, `oneOf` and friends are refused at load so that a schema is
/// never silently half-checked.
public final class JSONSchema: @unchecked Sendable {
    public let root: JSONValue
    private var patterns: [String: NSRegularExpression] = [:]
    private let lock = NSLock()

    static let supported: Set<String> = [
        "type", "properties", "required", "additionalProperties", "enum", "const", "items",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "format",
    ]
    /// Annotations that do not constrain anything.
    static let annotations: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated", "readOnly", "writeOnly", "$defs",
    ]
    /// Keywords that change what validates; refused so a check never passes by ignoring them.
    static let refused: Set<String> = [
        "$ref", "$dynamicRef", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas",
        "dependentRequired", "prefixItems", "contains", "minContains", "maxContains", "patternProperties",
        "propertyNames", "unevaluatedProperties", "unevaluatedItems", "minItems", "maxItems", "uniqueItems",
        "minProperties", "maxProperties", "multipleOf",
    ]

    public init(_ root: JSONValue, source: String = "schema") throws {
        self.root = root
        try Self.checkKeywords(root, pointer: "", source: source)
    }

    public static func load(path: String) throws -> JSONSchema {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("schema_file \(path): cannot read the file; check the path")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes: Array(data)) } catch {
            throw StreamcheckError("schema_file \(path): not JSON (\(error))")
        }
        return try JSONSchema(json, source: "schema_file \(path)")
    }

    static func checkKeywords(_ schema: JSONValue, pointer: String, source: String) throws {
        switch schema {
        case .bool: return
        case let .object(members):
            for (key, value) in members {
                if refused.contains(key) {
                    throw StreamcheckError("\(source): keyword \(key) at #\(pointer) is not supported by streamcheck's JSON Schema validator (see docs/avro.md); remove it or validate elsewhere")
                }
                switch key {
                case "properties":
                    for (name, sub) in value.objectValue ?? [] { try checkKeywords(sub, pointer: pointer + "/properties/" + escape(name), source: source) }
                case "additionalProperties", "items":
                    try checkKeywords(value, pointer: pointer + "/" + key, source: source)
                case "pattern":
                    guard let p = value.stringValue, (try? NSRegularExpression(pattern: p)) != nil else {
                        throw StreamcheckError("\(source): pattern at #\(pointer) is not a valid regular expression")
                    }
                case "type":
                    let names = value.stringValue.map { [$0] } ?? (value.arrayValue ?? []).compactMap(\.stringValue)
                    let known: Set<String> = ["null", "boolean", "object", "array", "number", "integer", "string"]
                    if names.isEmpty || !names.allSatisfy(known.contains) {
                        throw StreamcheckError("\(source): type at #\(pointer) must be one of null, boolean, object, array, number, integer, string (or a list of them)")
                    }
                default: break
                }
            }
        default:
            throw StreamcheckError("\(source): the schema at #\(pointer) must be an object or a boolean")
        }
    }

    /// Keywords present in the schema that are neither checked nor refused (ignored, listed for reports).
    public var unsupportedKeywords: [String] {
        var found = Set<String>()
        func walk(_ s: JSONValue) {
            for (key, value) in s.objectValue ?? [] {
                if !Self.supported.contains(key) && !Self.annotations.contains(key) { found.insert(key) }
                if key == "properties" { (value.objectValue ?? []).forEach { walk($0.1) } }
                if key == "items" || key == "additionalProperties" { walk(value) }
            }
        }
        walk(root)
        return found.sorted()
    }

    public func validate(_ instance: JSONValue) -> [SchemaViolation] {
        var out: [SchemaViolation] = []
        validate(instance, root, pointer: "", into: &out)
        return out
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case let .double(d): return d == d.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    static func matches(type: String, _ v: JSONValue) -> Bool {
        let actual = typeName(v)
        return type == actual || (type == "number" && actual == "integer")
    }

    private func validate(_ instance: JSONValue, _ schema: JSONValue, pointer: String, into out: inout [SchemaViolation]) {
        func add(_ message: String) { out.append(SchemaViolation(path: pointer, message: message)) }
        if case let .bool(allowed) = schema {
            if !allowed { add("no value is allowed here") }
            return
        }
        if let type = schema["type"] {
            let names = type.stringValue.map { [$0] } ?? (type.arrayValue ?? []).compactMap(\.stringValue)
            if !names.contains(where: { Self.matches(type: $0, instance) }) {
                add("expected \(names.joined(separator: " or ")), found \(Self.typeName(instance))")
                return  // other keywords would only repeat the same mistake
            }
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(instance) {
            add("\(Self.short(instance)) is not one of \(Self.short(.array(options)))")
        }
        if let constant = schema["const"], constant != instance {
            add("\(Self.short(instance)) is not the constant \(Self.short(constant))")
        }
        if let number = instance.doubleValue, Self.typeName(instance) != "boolean" {
            if let min = schema["minimum"]?.doubleValue, number < min { add("\(JSONValue.format(number)) is less than minimum \(JSONValue.format(min))") }
            if let max = schema["maximum"]?.doubleValue, number > max { add("\(JSONValue.format(number)) is greater than maximum \(JSONValue.format(max))") }
            if let min = schema["exclusiveMinimum"]?.doubleValue, number <= min { add("\(JSONValue.format(number)) is not greater than exclusiveMinimum \(JSONValue.format(min))") }
            if let max = schema["exclusiveMaximum"]?.doubleValue, number >= max { add("\(JSONValue.format(number)) is not less than exclusiveMaximum \(JSONValue.format(max))") }
        }
        if case let .string(s) = instance {
            let length = s.unicodeScalars.count  // JSON Schema counts code points
            if let min = schema["minLength"]?.int64Value, length < min { add("string of \(length) characters is shorter than minLength \(min)") }
            if let max = schema["maxLength"]?.int64Value, length > max { add("string of \(length) characters is longer than maxLength \(max)") }
            if let pattern = schema["pattern"]?.stringValue, let regex = regex(pattern),
               regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil {
                add("\(Self.short(instance)) does not match pattern \(pattern)")
            }
            if let format = schema["format"]?.stringValue, !Self.conforms(s, format: format) {
                add("\(Self.short(instance)) is not a valid \(format)")
            }
        }
        if case let .array(items) = instance, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { validate(item, itemSchema, pointer: pointer + "/\(i)", into: &out) }
        }
        if case let .object(members) = instance {
            let properties = schema["properties"]?.objectValue ?? []
            for name in (schema["required"]?.arrayValue ?? []).compactMap(\.stringValue) where instance[name] == nil {
                add("required property \(name) is missing")
            }
            for (name, value) in members {
                let childPointer = pointer + "/" + Self.escape(name)
                if let sub = properties.first(where: { $0.0 == name })?.1 {
                    validate(value, sub, pointer: childPointer, into: &out)
                } else if let additional = schema["additionalProperties"] {
                    if case .bool(false) = additional {
                        out.append(SchemaViolation(path: childPointer, message: "property \(name) is not allowed (additionalProperties is false)"))
                    } else {
                        validate(value, additional, pointer: childPointer, into: &out)
                    }
                }
            }
        }
    }

    private func regex(_ pattern: String) -> NSRegularExpression? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = patterns[pattern] { return cached }
        let compiled = try? NSRegularExpression(pattern: pattern)
        patterns[pattern] = compiled
        return compiled
    }

    static func short(_ v: JSONValue) -> String {
        let text = v.encoded()
        return text.count > 60 ? String(text.prefix(57)) + "..." : text
    }

    static let dateTime = try! NSRegularExpression(
        pattern: #"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$"#)
    static let email = try! NSRegularExpression(pattern: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#)

    /// Formats streamcheck asserts; unknown formats are annotations (as the spec's default says).
    static func conforms(_ s: String, format: String) -> Bool {
        let range = NSRange(s.startIndex..., in: s)
        switch format {
        case "uuid":
            return s.count == 36 && UUID(uuidString: s) != nil
        case "email":
            return email.firstMatch(in: s, range: range) != nil
        case "date-time":
            guard let m = dateTime.firstMatch(in: s, range: range) else { return false }
            func part(_ i: Int) -> Int { Int((s as NSString).substring(with: m.range(at: i))) ?? -1 }
            let month = part(2), day = part(3), hour = part(4), minute = part(5), second = part(6)
            guard (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 60 else { return false }
            if m.range(at: 9).location != NSNotFound { guard part(9) <= 23, part(10) <= 59 else { return false } }
            return true
        default:
            return true
        }
    }
}
