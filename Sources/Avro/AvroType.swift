import TerraformIO

/// The shape of an Avro schema as Swift sees it, parsed from the schema's JSON after Avro C
/// accepted it. Avro C 1.11 ignores logical types, so this tree is where they live; it drives
/// the JSON mapping, the data generator and the record-name subject strategies.
public indirect enum AvroType: Sendable {
    case null, boolean, int, long, float, double, bytes, string
    case record(name: String, fields: [AvroField])
    case enumeration(name: String, symbols: [String])
    case array(AvroType)
    case map(AvroType)
    case union([AvroType])
    case fixed(name: String, size: Int)
    /// A named type used again after its definition (this is how recursive types appear).
    case reference(String)
    /// A logical type over its underlying type; the JSON mapping is the underlying type's.
    case logical(AvroLogicalType, AvroType)

    /// Name of the branch as Avro's JSON encoding writes it in unions: the full name for named types.
    public var branchName: String {
        switch self {
        case .null: return "null"
        case .boolean: return "boolean"
        case .int: return "int"
        case .long: return "long"
        case .float: return "float"
        case .double: return "double"
        case .bytes: return "bytes"
        case .string: return "string"
        case let .record(name, _), let .enumeration(name, _), let .fixed(name, _), let .reference(name): return name
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case let .logical(_, base): return base.branchName
        }
    }
}

public struct AvroField: Sendable {
    public let name: String
    public let type: AvroType
    /// The field's default in Avro's JSON encoding, used when a data-file line leaves it out.
    public let defaultValue: JSONValue?
}

public enum AvroLogicalType: Sendable, Equatable {
    case timestampMillis, timestampMicros, date, timeMillis, timeMicros, uuid
    case decimal(precision: Int, scale: Int)
}

/// Builds the Swift tree from schema JSON. Only called on JSON Avro C has accepted, so it
/// can be brief about errors; logical types Avro does not know are ignored, as the spec says.
struct AvroTypeParser {
    var named: [String: AvroType] = [:]

    mutating func parse(_ json: JSONValue, namespace: String?) throws -> AvroType {
        switch json {
        case let .string(name):
            if let primitive = Self.primitive(name) { return primitive }
            let full = Self.fullName(name, namespace: namespace)
            if named[full] != nil { return .reference(full) }
            if named[name] != nil { return .reference(name) }
            throw AvroError.invalidSchema("unknown type name \"\(name)\"")
        case let .array(branches):
            return .union(try branches.map { try parse($0, namespace: namespace) })
        case .object:
            return try parseObject(json, namespace: namespace)
        default:
            throw AvroError.invalidSchema("a type must be a name, an object or a union array")
        }
    }

    static func primitive(_ name: String) -> AvroType? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "int": return .int
        case "long": return .long
        case "float": return .float
        case "double": return .double
        case "bytes": return .bytes
        case "string": return .string
        default: return nil
        }
    }

    static func fullName(_ name: String, namespace: String?) -> String {
        if name.contains(".") { return name }
        guard let namespace, !namespace.isEmpty else { return name }
        return namespace + "." + name
    }

    mutating func parseObject(_ json: JSONValue, namespace: String?) throws -> AvroType {
        guard let typeValue = json["type"] else { throw AvroError.invalidSchema("a type object has no \"type\"") }
        guard case let .string(typeName) = typeValue else { return try parse(typeValue, namespace: namespace) }
        let name = json["name"]?.stringValue ?? ""
        let ownNamespace = json["namespace"]?.stringValue ?? namespace
        let full = Self.fullName(name, namespace: ownNamespace)
        let innerNamespace = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : ownNamespace

        let base: AvroType
        switch typeName {
        case "record", "error":
            // Register first so fields can refer to the record itself.
            named[full] = .reference(full)
            var fields: [AvroField] = []
            for field in json["fields"]?.arrayValue ?? [] {
                let fieldType = try parse(field["type"] ?? .null, namespace: innerNamespace)
                fields.append(AvroField(name: field["name"]?.stringValue ?? "", type: fieldType, defaultValue: field["default"]))
            }
            base = .record(name: full, fields: fields)
            named[full] = base
        case "enum":
            base = .enumeration(name: full, symbols: (json["symbols"]?.arrayValue ?? []).compactMap(\.stringValue))
            named[full] = base
        case "fixed":
            base = .fixed(name: full, size: Int(json["size"]?.int64Value ?? 0))
            named[full] = base
        case "array":
            base = .array(try parse(json["items"] ?? .null, namespace: namespace))
        case "map":
            base = .map(try parse(json["values"] ?? .null, namespace: namespace))
        default:
            base = try parse(.string(typeName), namespace: namespace)
        }
        guard let logical = json["logicalType"]?.stringValue else { return base }
        return Self.logical(logical, json: json, base: base).map { .logical($0, base) } ?? base
    }

    /// A logical type applies only to the underlying types the spec names; otherwise it is ignored.
    static func logical(_ name: String, json: JSONValue, base: AvroType) -> AvroLogicalType? {
        switch (name, base) {
        case ("timestamp-millis", .long): return .timestampMillis
        case ("timestamp-micros", .long): return .timestampMicros
        case ("time-micros", .long): return .timeMicros
        case ("time-millis", .int): return .timeMillis
        case ("date", .int): return .date
        case ("uuid", .string): return .uuid
        case ("decimal", .bytes), ("decimal", .fixed):
            let precision = Int(json["precision"]?.int64Value ?? 0)
            let scale = Int(json["scale"]?.int64Value ?? 0)
            guard precision > 0, scale >= 0, scale <= precision else { return nil }
            return .decimal(precision: precision, scale: scale)
        default: return nil
        }
    }
}
