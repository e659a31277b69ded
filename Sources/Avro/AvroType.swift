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
    /// Other names a writer may have given this field (a reader's renames, spec "Aliases").
    public var aliases: [String] = []
}

public enum AvroLogicalType: Sendable, Equatable {
    case timestampMillis, timestampMicros, date, timeMillis, timeMicros, uuid
    case decimal(precision: Int, scale: Int)
}

/// Builds the Swift tree from schema JSON and holds it to the Avro specification (1.11) before
/// Avro C sees the text: Avro C 1.11 crashes on some schemas it accepts (a record that contains
/// itself with no way out, a fixed of negative or huge size) and accepts others a reader would
/// refuse (two fields of one name, a default of the wrong type, a union listing a type twice).
/// Logical types Avro does not know are ignored, as the spec says.
struct AvroTypeParser {
    var named: [String: AvroType] = [:]
    /// Full name -> the full names of its aliases (records, enums, fixed).
    var aliases: [String: [String]] = [:]
    /// Enum full name -> the symbol a reader uses for a writer symbol it lacks (spec 1.9+).
    var enumDefaults: [String: String] = [:]
    /// Record field defaults, checked once every named type is known (a default may use a type
    /// defined later in the schema).
    private var defaults: [(where: String, value: JSONValue, type: AvroType)] = []

    mutating func parse(_ json: JSONValue, namespace: String?) throws -> AvroType {
        switch json {
        case let .string(name):
            if let primitive = Self.primitive(name) { return primitive }
            let full = Self.fullName(name, namespace: namespace)
            if named[full] != nil { return .reference(full) }
            if named[name] != nil { return .reference(name) }
            throw AvroError.invalidSchema("unknown type name \"\(name)\"")
        case let .array(branches):
            let types = try branches.map { try parse($0, namespace: namespace) }
            try AvroSchemaRules.checkUnion(types)
            return .union(types)
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
        let isNamed = ["record", "error", "enum", "fixed"].contains(typeName)
        var full = ""
        var innerNamespace = namespace
        if isNamed {
            full = try AvroSchemaRules.fullName(of: json, kind: typeName, enclosingNamespace: namespace)
            if named[full] != nil { throw AvroError.invalidSchema("the type \"\(full)\" is defined twice") }
            innerNamespace = full.contains(".") ? String(full[..<full.lastIndex(of: ".")!]) : nil
            // Aliases are full names, or short names in the type's own namespace.
            let names = (json["aliases"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !names.isEmpty { aliases[full] = names.map { Self.fullName($0, namespace: innerNamespace) } }
        }

        let base: AvroType
        switch typeName {
        case "record", "error":
            guard let fieldList = json["fields"]?.arrayValue else {
                throw AvroError.invalidSchema("record \"\(full)\" needs \"fields\", an array")
            }
            // Register first so fields can refer to the record itself.
            named[full] = .reference(full)
            var fields: [AvroField] = []
            var seen = Set<String>()
            for field in fieldList {
                guard let name = field["name"]?.stringValue, AvroSchemaRules.isName(name) else {
                    throw AvroError.invalidSchema("record \"\(full)\" has a field without a valid name (letters, digits and _, not starting with a digit)")
                }
                guard seen.insert(name).inserted else {
                    throw AvroError.invalidSchema("record \"\(full)\" has two fields named \"\(name)\"")
                }
                guard let fieldTypeJSON = field["type"] else {
                    throw AvroError.invalidSchema("field \"\(name)\" of record \"\(full)\" has no \"type\"")
                }
                let fieldType = try parse(fieldTypeJSON, namespace: innerNamespace)
                if let value = field["default"] { defaults.append(("field \"\(name)\" of record \"\(full)\"", value, fieldType)) }
                fields.append(AvroField(name: name, type: fieldType, defaultValue: field["default"],
                                        aliases: (field["aliases"]?.arrayValue ?? []).compactMap(\.stringValue)))
            }
            base = .record(name: full, fields: fields)
            named[full] = base
        case "enum":
            let symbols = try AvroSchemaRules.symbols(of: json, enumName: full)
            if let fallback = json["default"]?.stringValue { enumDefaults[full] = fallback }
            base = .enumeration(name: full, symbols: symbols)
            named[full] = base
        case "fixed":
            base = .fixed(name: full, size: try AvroSchemaRules.fixedSize(of: json, fixedName: full))
            named[full] = base
        case "array":
            guard let items = json["items"] else { throw AvroError.invalidSchema("an array type needs \"items\"") }
            base = .array(try parse(items, namespace: namespace))
        case "map":
            guard let values = json["values"] else { throw AvroError.invalidSchema("a map type needs \"values\"") }
            base = .map(try parse(values, namespace: namespace))
        default:
            base = try parse(.string(typeName), namespace: namespace)
        }
        guard let logical = json["logicalType"]?.stringValue, let known = Self.logical(logical, json: json, base: base) else { return base }
        // A decimal fixed used again by name keeps its logical type.
        if isNamed { named[full] = .logical(known, base) }
        return .logical(known, base)
    }

    /// The checks that need the whole schema: defaults fit their types, and no record contains
    /// itself in every value (Avro C recurses without end on such a schema).
    func finish(_ root: AvroType) throws {
        for (place, value, type) in defaults where !AvroSchemaRules.fits(value, type, named: named) {
            throw AvroError.invalidSchema("\(place): the default \(value.encoded()) does not fit its type \(AvroSchemaRules.describe(type))")
        }
        for case let .record(name, _) in named.values {
            if !AvroSchemaRules.hasFiniteValue(.reference(name), named: named, visiting: []) {
                throw AvroError.invalidSchema("record \"\(name)\" contains itself in every value, so no value of it can be written; make the field a union with \"null\", an array or a map")
            }
        }
        _ = root
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
