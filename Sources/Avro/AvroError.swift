import CAvro

/// Every failure of the Avro layer, as one line that names the problem.
public enum AvroError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The schema text is not a valid Avro schema.
    case invalidSchema(String)
    /// A JSON value does not fit the schema; `path` names the field (`address.city`, `tags[2]`).
    case dataMismatch(path: String, reason: String)
    /// Bytes that do not decode with the writer schema.
    case undecodable(String)
    /// Data written with one schema cannot be read with another.
    case incompatible(String)
    /// Avro C failed in a way the input does not explain (allocation, I/O).
    case library(String)

    /// One line always: a name from the schema may hold a newline or other control character,
    /// shown escaped so it cannot forge a second line on stderr.
    public var description: String {
        var line = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { line += "\\u{\(String(scalar.value, radix: 16))}" } else { line.unicodeScalars.append(scalar) }
        }
        return line
    }

    private var text: String {
        switch self {
        case let .invalidSchema(reason): return "invalid Avro schema: \(reason)"
        case let .dataMismatch(path, reason): return path.isEmpty ? reason : "field \(path): \(reason)"
        case let .undecodable(reason): return "not decodable as Avro: \(reason)"
        case let .incompatible(reason): return "schemas are not compatible: \(reason)"
        case let .library(reason): return "Avro C: \(reason)"
        }
    }

    /// Avro C's last error for this thread, cleaned to one line.
    static func lastError() -> String {
        let text = String(cString: avro_strerror())
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? "unknown error" : line
    }
}
