import Foundation

/// The `data "external"` protocol of hashicorp/external: one JSON object of strings on stdin,
/// one flat JSON object of strings on stdout. Everything here is pure so it can be tested
/// exactly as the provider drives it.
public enum ExternalProtocol {
    /// Terraform queries are small; anything larger is a mistake, not data.
    public static let maxQueryBytes = 1 << 20

    public static func decodeQuery(_ bytes: [UInt8]) throws -> [String: String] {
        if bytes.count > maxQueryBytes {
            throw ParameterError("query on stdin is \(bytes.count) bytes; the limit is \(maxQueryBytes) bytes (pass large data as a file path)")
        }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return [:] }
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(bytes: bytes) } catch {
            throw ParameterError("query on stdin is not valid JSON (\(error)); the external data source sends one JSON object of strings")
        }
        guard let members = parsed.objectValue else {
            throw ParameterError("query on stdin must be one JSON object of strings, got \(typeName(parsed))")
        }
        var query: [String: String] = [:]
        for (key, value) in members {
            guard let s = value.stringValue else {
                throw ParameterError("query key '\(key)' must be a string, got \(typeName(value)); wrap numbers and booleans with tostring() and nested values with jsonencode()")
            }
            if query[key] != nil { throw ParameterError("query key '\(key)' appears twice") }
            query[key] = s
        }
        return query
    }

    /// Top-level scalars become strings (booleans "true"/"false", numbers in decimal);
    /// nested objects and arrays are gathered, JSON-encoded, under `details_json`.
    public static func flatten(_ result: JSONValue) -> [(String, String)] {
        guard let members = result.objectValue else { return [("result", result.encoded())] }
        var flat: [(String, String)] = []
        var nested: [(String, JSONValue)] = []
        for (key, value) in members {
            switch value {
            case .null: flat.append((key, ""))
            case let .bool(b): flat.append((key, b ? "true" : "false"))
            case let .int(i): flat.append((key, String(i)))
            case let .double(d): flat.append((key, JSONValue.format(d)))
            case let .string(s): flat.append((key, s))
            case .array, .object: nested.append((key, value))
            }
        }
        flat.append(("details_json", JSONValue.object(nested).encoded()))
        return flat
    }

    public static func encodeFlat(_ flat: [(String, String)]) -> String {
        JSONValue.object(flat.map { ($0.0, JSONValue.string($0.1)) }).encoded()
    }

    public static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

public enum AtomicFile {
    /// Writes through a temporary file in the same folder and renames it into place, so a
    /// reader (Terraform's file()) never sees half a file and a failure leaves no file behind.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(to: path) { emit in try emit(bytes[...]) }
    }

    /// Streams the file's content in pieces (`emit` each one), so a large file (a manifest of
    /// millions of entries) never has to be whole in memory; still atomic.
    /// Creates (and removes) the temporary file `write(to:)` would use, so an operation that
    /// is about to act (send messages) knows first that it can keep the record of it.
    public static func checkWritable(_ path: String) throws {
        try write(to: path + ".probe") { _ in }
        unlink(path + ".probe")
    }

    public static func write(to path: String, _ content: (_ emit: (ArraySlice<UInt8>) throws -> Void) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw ParameterError("cannot create folder \(dir.path) for \(path): \(error.localizedDescription)")
        }
        let temp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())").path
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParameterError("cannot write \(path): \(String(cString: strerror(errno)))") }
        func fail(_ reason: String) -> ParameterError {
            close(fd)
            unlink(temp)
            return ParameterError("cannot write \(path): \(reason)")
        }
        do {
            try content { piece in
                try piece.withUnsafeBytes { raw in
                    var done = 0
                    while done < raw.count {
                        let n = Foundation.write(fd, raw.baseAddress! + done, raw.count - done)
                        if n < 0 {
                            if errno == EINTR { continue }
                            throw ParameterError(String(cString: strerror(errno)))  // e.g. "No space left on device"
                        }
                        done += n
                    }
                }
            }
        } catch let error as ParameterError {
            throw fail(error.message)
        } catch {
            throw fail("\(error)")
        }
        if close(fd) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw ParameterError("cannot write \(path): \(reason)")
        }
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw ParameterError("cannot write \(path): \(reason)")
        }
    }
}
