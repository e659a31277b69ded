import TerraformIO

/// The Avro 1.11 specification's rules that Avro C 1.11 does not enforce (or enforces by
/// crashing), each failing with one line that names the type and what to change.
enum AvroSchemaRules {
    /// Largest fixed size accepted. The spec allows any int; a Kafka message is at most 1 MiB by
    /// default, and Avro C allocates the size up front (a size of 2^31 makes it hang, -1 crash).
    static let maxFixedSize = 1 << 20

    /// A name: starts with a letter or _, then letters, digits or _ (ASCII).
    static func isName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return text.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    /// A dotted full name or namespace: names joined by '.'.
    static func isDottedName(_ text: String) -> Bool {
        text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isName(String($0)) }
    }

    /// The full name of a record, enum or fixed: its name, qualified by its own namespace or the
    /// enclosing one, as the spec resolves them.
    static func fullName(of json: JSONValue, kind: String, enclosingNamespace: String?) throws -> String {
        guard let name = json["name"]?.stringValue, !name.isEmpty else {
            throw AvroError.invalidSchema("a \(kind) needs a \"name\"")
        }
        guard isDottedName(name) else {
            throw AvroError.invalidSchema("the \(kind) name \"\(name)\" is not a valid Avro name (letters, digits and _, not starting with a digit, parts joined by '.')")
        }
        var namespace = enclosingNamespace
        if let own = json["namespace"] {
            guard let text = own.stringValue, text.isEmpty || isDottedName(text) else {
                throw AvroError.invalidSchema("the namespace of \(kind) \"\(name)\" is not a valid Avro namespace")
            }
            namespace = text
        }
        return AvroTypeParser.fullName(name, namespace: namespace)
    }

    static func symbols(of json: JSONValue, enumName: String) throws -> [String] {
        guard let list = json["symbols"]?.arrayValue else {
            throw AvroError.invalidSchema("enum \"\(enumName)\" needs \"symbols\", an array of names")
        }
        var symbols: [String] = []
        for item in list {
            guard let symbol = item.stringValue, isName(symbol) else {
                throw AvroError.invalidSchema("enum \"\(enumName)\" has a symbol that is not a valid Avro name: \(item.encoded())")
            }
            guard !symbols.contains(symbol) else {
                throw AvroError.invalidSchema("enum \"\(enumName)\" lists the symbol \"\(symbol)\" twice")
            }
            symbols.append(symbol)
        }
        if let fallback = json["default"], !(fallback.stringValue.map(symbols.contains) ?? false) {
            throw AvroError.invalidSchema("enum \"\(enumName)\": the default \(fallback.encoded()) is not one of its symbols")
        }
        return symbols
    }

    static func fixedSize(of json: JSONValue, fixedName: String) throws -> Int {
        guard let value = json["size"] else { throw AvroError.invalidSchema("fixed \"\(fixedName)\" needs a \"size\"") }
        guard let size = value.int64Value, size >= 0, size <= maxFixedSize else {
            throw AvroError.invalidSchema("fixed \"\(fixedName)\" has size \(value.encoded()): expected an integer from 0 to \(maxFixedSize)")
        }
        return Int(size)
    }

    /// The spec: a union may not list two types of one kind (two arrays, two maps, the same
    /// primitive twice, the same named type twice) nor directly contain another union.
    static func checkUnion(_ branches: [AvroType]) throws {
        guard !branches.isEmpty else { throw AvroError.invalidSchema("a union needs at least one type") }
        var seen = Set<String>()
        for branch in branches {
            if case .union = branch { throw AvroError.invalidSchema("a union may not directly contain another union") }
            let key = branch.branchName
            guard seen.insert(key).inserted else {
                throw AvroError.invalidSchema("a union lists \"\(key)\" twice; each type may appear once")
            }
        }
    }

    /// Whether a default value fits its type as the spec encodes defaults in JSON (a union's
    /// default is for its first type; bytes and fixed are strings of code points 0-255).
    static func fits(_ value: JSONValue, _ type: AvroType, named: [String: AvroType]) -> Bool {
        switch type {
        case .null: return value == .null
        case .boolean: return value.boolValue != nil
        case .int:
            guard let number = value.int64Value, case .int = value else { return false }
            return number >= Int64(Int32.min) && number <= Int64(Int32.max)
        case .long: if case .int = value { return true }; return false
        case .float, .double: return value.doubleValue != nil
        case .string: return value.stringValue != nil
        case .bytes: return value.stringValue.map(isByteString) ?? false
        case let .fixed(_, size):
            guard let text = value.stringValue, isByteString(text) else { return false }
            return text.unicodeScalars.count == size
        case let .enumeration(_, symbols): return value.stringValue.map(symbols.contains) ?? false
        case let .array(items): return value.arrayValue?.allSatisfy { fits($0, items, named: named) } ?? false
        case let .map(values): return value.objectValue?.allSatisfy { fits($0.1, values, named: named) } ?? false
        case let .union(branches): return branches.first.map { fits(value, $0, named: named) } ?? false
        case let .record(_, fields):
            guard let members = value.objectValue else { return false }
            return fields.allSatisfy { field in
                if let given = members.first(where: { $0.0 == field.name })?.1 { return fits(given, field.type, named: named) }
                return field.defaultValue != nil
            }
        case let .reference(name):
            guard let definition = named[name], !isReference(definition) else { return false }
            return fits(value, definition, named: named)
        case let .logical(_, base): return fits(value, base, named: named)
        }
    }

    private static func isReference(_ type: AvroType) -> Bool {
        if case .reference = type { return true }
        return false
    }

    private static func isByteString(_ text: String) -> Bool { text.unicodeScalars.allSatisfy { $0.value <= 0xFF } }

    /// Whether some finite value of the type exists: a record that contains itself through
    /// record fields only has none (through a union with another branch, an array or a map it
    /// does: the branch, or the empty collection, ends it).
    static func hasFiniteValue(_ type: AvroType, named: [String: AvroType], visiting: Set<String>) -> Bool {
        switch type {
        case .null, .boolean, .int, .long, .float, .double, .bytes, .string, .fixed, .enumeration, .array, .map:
            return true
        case let .union(branches): return branches.contains { hasFiniteValue($0, named: named, visiting: visiting) }
        case let .logical(_, base): return hasFiniteValue(base, named: named, visiting: visiting)
        case let .reference(name):
            guard !visiting.contains(name), let definition = named[name], !isReference(definition) else { return false }
            return hasFiniteValue(definition, named: named, visiting: visiting.union([name]))
        case let .record(name, fields):
            let inside = visiting.union([name])
            return fields.allSatisfy { hasFiniteValue($0.type, named: named, visiting: inside) }
        }
    }

    /// A type as a user would write it in a message.
    static func describe(_ type: AvroType) -> String {
        switch type {
        case let .union(branches): return "[" + branches.map(describe).joined(separator: ", ") + "]"
        case let .array(items): return "array of \(describe(items))"
        case let .map(values): return "map of \(describe(values))"
        case let .logical(_, base): return describe(base)
        default: return type.branchName
        }
    }
}
