import Foundation
import TerraformIO

/// Reads the SMT part of a Kafka Connect connector config, so the expectation can be the
/// very config the connector runs with: `{"transforms": "a,b", "transforms.a.type": "...", ...}`,
/// bare or inside `{"name": ..., "config": {...}}`. Only the value-side SMTs whose effect can
/// be computed from the record alone are accepted; anything else is refused by name.
enum ConnectTransformConfig {
    static func configObject(_ document: JSONValue) -> [(String, JSONValue)]? {
        if let config = document["config"]?.objectValue, config.contains(where: { $0.0 == "transforms" }) { return config }
        if let object = document.objectValue, object.first(where: { $0.0 == "transforms" })?.1.stringValue != nil { return object }
        return nil
    }

    static func steps(_ config: [(String, JSONValue)], source: String) throws -> [TransformStep] {
        func value(_ key: String) -> String? {
            guard let v = config.first(where: { $0.0 == key })?.1 else { return nil }
            switch v {
            case let .string(s): return s
            case .int, .double, .bool: return v.encoded()
            default: return nil
            }
        }
        func list(_ text: String?) -> [String] {
            (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        var steps: [TransformStep] = []
        for alias in list(value("transforms")) {
            let prefix = "transforms.\(alias)."
            func fail(_ text: String) -> TransformError { TransformError("\(source): transform '\(alias)': \(text)") }
            guard let type = value(prefix + "type") else { throw fail("no \(prefix)type") }
            if config.contains(where: { $0.0 == prefix + "predicate" }) {
                throw fail("predicates are not supported: the expectation applies to every record")
            }
            let shortType = type.split(separator: ".").last.map(String.init) ?? type
            switch shortType {
            case "ReplaceField$Value":
                // Kafka filters on the original names, then renames.
                if !list(value(prefix + "include") ?? value(prefix + "whitelist")).isEmpty {
                    throw fail("ReplaceField include/whitelist is not supported; list the dropped fields with exclude")
                }
                let excluded = list(value(prefix + "exclude") ?? value(prefix + "blacklist"))
                if !excluded.isEmpty { steps.append(.drop(excluded)) }
                for pair in list(value(prefix + "renames")) {
                    let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw fail("renames entry '\(pair)' is not from:to") }
                    steps.append(.rename(from: parts[0], to: parts[1]))
                }
            case "Cast$Value":
                for pair in list(value(prefix + "spec")) {
                    let parts = pair.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw fail("spec '\(pair)': casting the whole value is not supported; use field:type") }
                    guard let type = TransformStep.CastType(rawValue: parts[1]) else { throw fail("spec '\(pair)': unknown type '\(parts[1])'") }
                    steps.append(.cast(field: parts[0], type: type))
                }
            case "InsertField$Value":
                for other in ["topic.field", "partition.field", "offset.field", "timestamp.field"] where value(prefix + other) != nil {
                    throw fail("InsertField \(other) depends on the Kafka record, not on its value; only static.field can be expected")
                }
                guard let field = value(prefix + "static.field") else { throw fail("InsertField needs static.field") }
                steps.append(.insert(field: field, value: .string(value(prefix + "static.value") ?? "")))
            case "MaskField$Value":
                let fields = list(value(prefix + "fields"))
                guard !fields.isEmpty else { throw fail("MaskField needs fields") }
                steps += fields.map { .mask(field: $0, replacement: value(prefix + "replacement")) }
            case "Flatten$Value":
                steps.append(.flatten(delimiter: value(prefix + "delimiter") ?? "."))
            case "ValueToKey":
                // Copies fields into the record key; the value, which is what is compared, stays
                // as it was (the key is what `key_field` / `key_column` match on).
                guard !list(value(prefix + "fields")).isEmpty else { throw fail("ValueToKey needs fields") }
            default:
                throw fail("\(type) is not supported; supported: ReplaceField$Value, Cast$Value, InsertField$Value, MaskField$Value, Flatten$Value, ValueToKey")
            }
        }
        return steps
    }
}
