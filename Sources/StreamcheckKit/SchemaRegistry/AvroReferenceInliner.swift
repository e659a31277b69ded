import TerraformIO

/// Makes one self-contained Avro schema from a registered schema and its references.
/// Confluent lets an Avro schema name a type defined in another subject
/// (`references: [{name, subject, version}]`); Avro C parses one document, so the first use of
/// each referenced name, in document order, is replaced by its definition, exactly where a
/// parser would have met it, and every later use stays a name.
struct AvroReferenceInliner {
    /// Full type name -> the referenced subject version's schema.
    let definitions: [String: JSONValue]
    private static let primitives: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    func inline(_ schema: JSONValue) -> JSONValue {
        var defined: Set<String> = []
        return walk(schema, namespace: "", defined: &defined)
    }

    private func walk(_ node: JSONValue, namespace: String, defined: inout Set<String>) -> JSONValue {
        switch node {
        case let .string(name) where !Self.primitives.contains(name):
            let full = Self.qualify(name, namespace)
            guard !defined.contains(full), let definition = definitions[full] ?? definitions[name] else { return node }
            // The definition keeps its own namespace, not the one of the place it lands in.
            return walk(definition, namespace: "", defined: &defined)
        case let .array(branches):
            return .array(branches.map { walk($0, namespace: namespace, defined: &defined) })
        case let .object(members):
            guard let type = node["type"] else { return node }
            var inner = namespace
            if case let .string(kind) = type, ["record", "error", "enum", "fixed"].contains(kind), let name = node["name"]?.stringValue {
                let full = name.contains(".") ? name : Self.qualify(name, node["namespace"]?.stringValue ?? namespace)
                defined.insert(full)
                inner = full.split(separator: ".").dropLast().joined(separator: ".")
            }
            return .object(members.map { key, value in
                switch key {
                case "fields":
                    return (key, .array((value.arrayValue ?? []).map { field in
                        guard case let .object(fieldMembers) = field else { return field }
                        return .object(fieldMembers.map { $0.0 == "type" ? ($0.0, walk($0.1, namespace: inner, defined: &defined)) : $0 })
                    }))
                case "type" where !(value.stringValue.map { ["record", "error", "enum", "fixed", "array", "map"].contains($0) } ?? false):
                    return (key, walk(value, namespace: namespace, defined: &defined))
                case "items", "values":
                    return (key, walk(value, namespace: inner, defined: &defined))
                default:
                    return (key, value)
                }
            })
        default:
            return node
        }
    }

    static func qualify(_ name: String, _ namespace: String) -> String {
        name.contains(".") || namespace.isEmpty ? name : "\(namespace).\(name)"
    }
}
