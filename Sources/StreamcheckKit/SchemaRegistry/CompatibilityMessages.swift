import Foundation
import TerraformIO

/// Confluent's verbose compatibility messages, made readable. The registry (7.x and later)
/// answers each incompatibility as a string like
///   {errorType:'TYPE_MISMATCH', description:'The type (path '/fields/1/type') of a field in
///    the new schema does not match with the old schema', additionalInfo:'reader type: STRING
///    not compatible with writer type: INT'}
/// followed by {oldSchemaVersion: 1}, {oldSchema: '<the whole old schema>'} and
/// {validateFields: 'false', compatibility: 'BACKWARD'}; a rejected registration carries the same
/// list inside its 409 message. Each difference becomes one line naming the field the path
/// points at in the new schema; the old schema is never repeated.
public enum CompatibilityMessages {
    public static func describe(_ messages: [String], newSchema: String?) -> [String] {
        let schema = newSchema.flatMap { try? JSONValue.parse($0) }
        var version: String?
        var lines: [String] = []
        for message in messages {
            if let v = capture(message, after: "{oldSchemaVersion: ", upTo: "}") { version = v }
            var rest = Substring(message)
            while let start = rest.range(of: "{errorType:'") {
                let tail = rest[start.upperBound...]
                guard let typeEnd = tail.range(of: "', description:'") else { break }
                let type = String(tail[..<typeEnd.lowerBound])
                let afterType = tail[typeEnd.upperBound...]
                var description: Substring
                var info: Substring = ""
                if let infoStart = afterType.range(of: "', additionalInfo:'") {
                    description = afterType[..<infoStart.lowerBound]
                    let afterInfo = afterType[infoStart.upperBound...]
                    let end = afterInfo.range(of: "'}")
                    info = end.map { afterInfo[..<$0.lowerBound] } ?? afterInfo
                    rest = end.map { afterInfo[$0.upperBound...] } ?? ""
                } else {
                    let end = afterType.range(of: "'}")
                    description = end.map { afterType[..<$0.lowerBound] } ?? afterType
                    rest = end.map { afterType[$0.upperBound...] } ?? ""
                }
                var line = type
                if let path = capture(String(description), after: "path '", upTo: "'") {
                    if let schema, let field = fieldName(at: path, in: schema) { line += " at field '\(field)'" }
                    line += " (\(path))"
                }
                line += ": \(description)"
                if !info.isEmpty, !description.contains(info) { line += " (\(info))" }
                lines.append(line)
            }
        }
        // Older registries send plain sentences: keep them, short.
        if lines.isEmpty {
            lines = messages.filter { !$0.hasPrefix("{oldSchema") && !$0.hasPrefix("{validateFields") }
                .map { String($0.prefix(300)) }
        }
        if let version { lines = lines.map { "against version \(version): \($0)" } }
        return lines
    }

    /// The dotted field path a JSON pointer like /fields/1/type/fields/0 names, or nil.
    static func fieldName(at path: String, in schema: JSONValue) -> String? {
        var node = schema
        var names: [String] = []
        let parts = path.split(separator: "/").map(String.init)
        var i = 0
        while i < parts.count {
            let part = parts[i]
            if part == "fields", i + 1 < parts.count, let index = Int(parts[i + 1]),
               let fields = node["fields"]?.arrayValue, index < fields.count {
                node = fields[index]
                if let name = node["name"]?.stringValue { names.append(name) }
                i += 2
            } else if let index = Int(part), let branches = node.arrayValue, index < branches.count {
                node = branches[index]
                i += 1
            } else if let next = node[part] {
                node = next
                i += 1
            } else {
                break
            }
        }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }

    static func capture(_ text: String, after open: String, upTo close: String) -> String? {
        guard let start = text.range(of: open), let end = text[start.upperBound...].range(of: close) else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}
