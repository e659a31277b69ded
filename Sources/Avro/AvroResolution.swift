import TerraformIO

/// Whether data written with one schema can be read with another, decided in Swift before
/// Avro C is asked. Why: Avro C 1.11.1's avro_resolved_writer_new / _reader_new free memory
/// twice on some failures (seen with a record holding an enum and a reader-only field), which
/// aborts the process. So Avro C is only asked about pairs this check accepts, and its own
/// answer still decides. The rules are Avro C's, which are stricter than the spec in one way:
/// it does not fill reader defaults, so a reader-only field is an error.
struct AvroResolution {
    let writer: AvroSchema
    let reader: AvroSchema
    /// Accept reader-only fields that have a default (the spec allows it; Avro C cannot do it,
    /// so such pairs are read by `project` instead).
    var allowDefaults = false
    var visiting: Set<String> = []

    mutating func problem(_ w: AvroType, _ r: AvroType, path: String) -> String? {
        let wt = Self.base(writer.resolve(w)), rt = Self.base(reader.resolve(r))
        let at = path.isEmpty ? "" : " at \(path)"
        switch (wt, rt) {
        case let (.union(branches), _):
            for (i, branch) in branches.enumerated() {
                if let p = problem(branch, r, path: path) { return "writer union branch \(i): \(p)" }
            }
            return nil
        case let (_, .union(branches)):
            for branch in branches {
                var probe = self
                if probe.problem(w, branch, path: path) == nil { return nil }
            }
            return "no branch of the reader union reads writer type \(wt.branchName)\(at)"
        case (.null, .null), (.boolean, .boolean), (.int, .int), (.long, .long), (.float, .float), (.double, .double),
             (.bytes, .bytes), (.string, .string),
             (.int, .long), (.int, .float), (.int, .double), (.long, .float), (.long, .double), (.float, .double):
            return nil
        case (.string, .bytes), (.bytes, .string):
            // The spec promotes both ways; Avro C does not, so such pairs are projected.
            return allowDefaults ? nil : "writer type \(wt.branchName) is read as \(rt.branchName) by promotion\(at)"
        case let (.record(wName, wFields), .record(rName, rFields)):
            guard names(rName, read: wName) else { return "record \(wName) cannot be read as \(rName)\(at)" }
            let key = wName + "→" + rName
            if visiting.contains(key) { return nil }  // recursive type: already being checked
            visiting.insert(key)
            defer { visiting.remove(key) }
            for field in rFields {
                let fieldPath = path.isEmpty ? field.name : path + "." + field.name
                guard let match = Self.writerField(for: field, in: wFields, aliases: allowDefaults) else {
                    if allowDefaults, field.defaultValue != nil { continue }
                    return "reader field \(fieldPath) is not in the writer schema (Avro C 1.11 does not fill reader defaults)"
                }
                if let p = problem(match.type, field.type, path: fieldPath) { return p }
            }
            return nil
        case let (.enumeration(wName, wSymbols), .enumeration(rName, rSymbols)):
            guard names(rName, read: wName) else { return "enum \(wName) cannot be read as \(rName)\(at)" }
            let missing = wSymbols.filter { !rSymbols.contains($0) }
            if missing.isEmpty { return nil }
            // A reader default stands in for the symbols it lacks (spec 1.9+); Avro C cannot.
            if allowDefaults, reader.enumDefaults[rName] != nil { return nil }
            return "reader enum \(rName)\(at) lacks symbols \(missing.joined(separator: ", "))\(reader.enumDefaults[rName] == nil ? "" : " (its default stands in for them)")"
        case let (.fixed(wName, wSize), .fixed(rName, rSize)):
            guard names(rName, read: wName), wSize == rSize else { return "fixed \(wName)(\(wSize)) cannot be read as \(rName)(\(rSize))\(at)" }
            return nil
        case let (.array(wItems), .array(rItems)):
            return problem(wItems, rItems, path: path + "[]")
        case let (.map(wValues), .map(rValues)):
            return problem(wValues, rValues, path: path + "{}")
        default:
            return "writer type \(wt.branchName) cannot be read as \(rt.branchName)\(at)"
        }
    }

    /// Same unqualified name (Avro C's rule); in spec mode also a reader alias of the writer's name.
    func names(_ readerName: String, read writerName: String) -> Bool {
        allowDefaults ? reader.nameReads(readerName, writerName: writerName) : Self.short(readerName) == Self.short(writerName)
    }

    /// The writer field a reader field reads: the same name, else (spec mode) one of its aliases.
    static func writerField(for field: AvroField, in writerFields: [AvroField], aliases: Bool) -> AvroField? {
        if let same = writerFields.first(where: { $0.name == field.name }) { return same }
        guard aliases else { return nil }
        return writerFields.first(where: { field.aliases.contains($0.name) })
    }

    static func base(_ t: AvroType) -> AvroType {
        if case let .logical(_, b) = t { return base(b) }
        return t
    }

    static func short(_ name: String) -> Substring {
        name.split(separator: ".").last ?? Substring(name)
    }
}

/// Reads a record decoded with the writer schema as the reader schema sees it, following the
/// spec's resolution rules on the JSON form: writer-only fields dropped, reader-only fields
/// take their defaults, unions matched by value. Used only for pairs Avro C cannot resolve
/// because of reader defaults; the result is then checked against the reader schema.
struct AvroProjection {
    let writer: AvroSchema
    let reader: AvroSchema

    func project(_ value: JSONValue, _ w: AvroType, _ r: AvroType) -> JSONValue {
        let wt = AvroResolution.base(writer.resolve(w)), rt = AvroResolution.base(reader.resolve(r))
        switch (wt, rt) {
        case let (.union(branches), _):
            let mapping = AvroJSONMapping(schema: writer)
            guard let i = mapping.branchIndex(branches, value) else { return value }
            return project(value, branches[i], r)
        case let (_, .union(branches)):
            let mapping = AvroJSONMapping(schema: reader)
            for branch in branches {
                let candidate = project(value, w, branch)
                if (try? mapping.check(branch, candidate, path: "")) != nil { return candidate }
            }
            return value
        case let (.record(_, wFields), .record(_, rFields)):
            return .object(rFields.map { field in
                if let match = AvroResolution.writerField(for: field, in: wFields, aliases: true), let v = value[match.name] {
                    return (field.name, project(v, match.type, field.type))
                }
                return (field.name, field.defaultValue ?? .null)
            })
        case let (.enumeration, .enumeration(rName, rSymbols)):
            guard let symbol = value.stringValue, !rSymbols.contains(symbol), let fallback = reader.enumDefaults[rName] else { return value }
            return .string(fallback)
        case (.string, .bytes):
            // streamcheck's JSON form of bytes: one character per byte (U+0000-U+00FF).
            guard let text = value.stringValue else { return value }
            return .string(String(text.utf8.map { Character(Unicode.Scalar($0)) }))
        case (.bytes, .string):
            guard let text = value.stringValue else { return value }
            let bytes = text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
            return .string(String(decoding: bytes, as: UTF8.self))
        case let (.array(wi), .array(ri)):
            return .array((value.arrayValue ?? []).map { project($0, wi, ri) })
        case let (.map(wv), .map(rv)):
            return .object((value.objectValue ?? []).map { ($0.0, project($0.1, wv, rv)) })
        default:
            return value
        }
    }
}
