import Foundation
import TerraformIO

/// One record the sink must hold: the manifest's record at `seq`, after the declared transforms.
public struct ExpectedRecord: Sendable {
    public let seq: Int
    public let record: JSONValue
    public init(seq: Int, record: JSONValue) {
        self.seq = seq
        self.record = record
    }
}

/// One record read back from a sink, with where it was found ("row 12", "s3://b/k line 3").
public struct FoundRecord: Sendable {
    public let record: JSONValue
    public let location: String
    public init(record: JSONValue, location: String) {
        self.record = record
        self.location = location
    }
}

/// A field that differs between what the manifest says and what the sink holds.
public struct FieldMismatch: Sendable, Equatable {
    public let location: String
    public let key: String
    public let field: String
    public let expected: String
    public let found: String

    public var json: JSONValue {
        .object([("location", .string(location)), ("key", .string(key)), ("field", .string(field)),
                 ("expected", .string(expected)), ("found", .string(found))])
    }
}

/// How found records are paired with expected ones.
public enum RecordPairing: Sendable {
    /// By the value of a field (a table's key column, a record's id).
    case key(field: String)
    /// By content digest; records left over are then paired by closest content, so a changed
    /// field shows as a mismatch of that record rather than one missing plus one unexpected.
    case digest
}

public struct SinkComparison: Sendable {
    public var expectedCount = 0
    public var foundCount = 0
    public var missing: [String] = []
    public var unexpected: [String] = []
    public var duplicates: [String] = []
    /// Duplicate copies whose content differs from their record (never explained by redelivery).
    public var alteredDuplicates = 0
    public var mismatched = 0
    public var samples: [FieldMismatch] = []

    public static let maxSamples = 5
    public static let maxListed = 10

    /// Compares everything found with everything expected. `strictFields`: a field the sink
    /// holds that the expected record lacks is a mismatch (S3 lines); false ignores extra
    /// fields (a table's own columns, such as a run id or insert time).
    public static func compare(expected: [ExpectedRecord], found: [FoundRecord], pairing: RecordPairing,
                               strictFields: Bool, ignoredFields: Set<String> = []) -> SinkComparison {
        var result = SinkComparison()
        result.expectedCount = expected.count
        result.foundCount = found.count
        var matchedSeqs = Set<Int>()
        var leftovers: [FoundRecord] = []

        func check(_ want: ExpectedRecord, _ got: FoundRecord, key: String) {
            let diffs = differences(want.record, got.record, strictFields: strictFields, ignoredFields: ignoredFields)
            guard !diffs.isEmpty else { return }
            result.mismatched += 1
            for (field, e, f) in diffs where result.samples.count < maxSamples {
                result.samples.append(FieldMismatch(location: got.location, key: key, field: field, expected: e, found: f))
            }
        }

        switch pairing {
        case let .key(field):
            var bySeqKey: [String: ExpectedRecord] = [:]
            for want in expected {
                bySeqKey[FieldMatch.keyText(want.record[field] ?? .null)] = want
            }
            for got in found {
                let key = FieldMatch.keyText(got.record[field] ?? .null)
                guard let want = bySeqKey[key] else {
                    result.unexpected.append(key)
                    continue
                }
                if !matchedSeqs.insert(want.seq).inserted {
                    result.duplicates.append(key)
                    if !differences(want.record, got.record, strictFields: strictFields, ignoredFields: ignoredFields).isEmpty {
                        result.alteredDuplicates += 1
                    }
                    continue
                }
                check(want, got, key: key)
            }
            result.missing = expected.filter { !matchedSeqs.contains($0.seq) }.map { FieldMatch.keyText($0.record[field] ?? .null) }
        case .digest:
            var bySeqDigest: [UInt64: [ExpectedRecord]] = [:]
            for want in expected { bySeqDigest[ContentDigest.of(record: want.record), default: []].append(want) }
            for got in found {
                let digest = ContentDigest.of(record: stripped(got.record, ignoredFields))
                guard let candidates = bySeqDigest[digest] else {
                    leftovers.append(got)
                    continue
                }
                // Identical records at several seqs: each occurrence takes the next free seq.
                if let free = candidates.first(where: { !matchedSeqs.contains($0.seq) }) {
                    matchedSeqs.insert(free.seq)
                } else {
                    result.duplicates.append(hex(digest))
                }
            }
            // Leftovers: pair each with the closest still-missing record.
            var missingRecords = expected.filter { !matchedSeqs.contains($0.seq) }
            let affordable = leftovers.count * max(missingRecords.count, 1) <= 4_000_000
            for got in leftovers {
                guard affordable, let best = closest(got.record, in: missingRecords, ignoredFields: ignoredFields) else {
                    result.unexpected.append(hex(ContentDigest.of(record: got.record)))
                    continue
                }
                missingRecords.removeAll { $0.seq == best.seq }
                matchedSeqs.insert(best.seq)
                check(best, got, key: "seq \(best.seq)")
            }
            result.missing = missingRecords.map { "seq \($0.seq)" }
        }
        return result
    }

    /// Pairing by key needs keys that are unique among the expected records.
    public static func nonUniqueKey(_ expected: [ExpectedRecord], field: String) -> (key: String, first: Int, second: Int)? {
        var seen: [String: Int] = [:]
        for want in expected {
            let key = FieldMatch.keyText(want.record[field] ?? .null)
            if let first = seen[key] { return (key, first, want.seq) }
            seen[key] = want.seq
        }
        return nil
    }

    static func hex(_ digest: UInt64) -> String {
        let s = String(digest, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    static func stripped(_ record: JSONValue, _ ignored: Set<String>) -> JSONValue {
        guard !ignored.isEmpty, let fields = record.objectValue else { return record }
        return .object(fields.filter { !ignored.contains($0.0) })
    }

    /// The missing record sharing most fields with `record`, if at least half of its fields agree.
    static func closest(_ record: JSONValue, in candidates: [ExpectedRecord], ignoredFields: Set<String>) -> ExpectedRecord? {
        var best: (ExpectedRecord, Int)?
        for want in candidates {
            guard let fields = want.record.objectValue, !fields.isEmpty else { continue }
            let agreeing = fields.filter { name, value in record[name].map { FieldMatch.matches(value, $0) } ?? false }.count
            if agreeing * 2 >= fields.count, agreeing > (best?.1 ?? 0) { best = (want, agreeing) }
            if agreeing == fields.count { break }
        }
        return best?.0
    }

    /// (field, expected, found) for each field that differs.
    public static func differences(_ expected: JSONValue, _ found: JSONValue, strictFields: Bool,
                                   ignoredFields: Set<String> = []) -> [(String, String, String)] {
        guard let want = expected.objectValue, let got = found.objectValue else {
            return FieldMatch.matches(expected, found) ? [] : [("(record)", FieldMatch.display(expected), FieldMatch.display(found))]
        }
        var diffs: [(String, String, String)] = []
        for (name, value) in want where !ignoredFields.contains(name) {
            let other = got.first(where: { $0.0 == name })?.1
            guard let other, FieldMatch.matches(value, other) else {
                diffs.append((name, FieldMatch.display(value), FieldMatch.display(other)))
                continue
            }
        }
        if strictFields {
            for (name, value) in got where !ignoredFields.contains(name) && !want.contains(where: { $0.0 == name }) {
                diffs.append((name, "<absent>", FieldMatch.display(value)))
            }
        }
        return diffs
    }

    public var passed: Bool { missing.isEmpty && unexpected.isEmpty && duplicates.isEmpty && mismatched == 0 && foundCount == expectedCount }

    /// The checks every sink verification reports; `countName` is "row_count" or "record_count".
    /// Under at-least-once the count is of distinct records (identical copies are judged by the
    /// duplicates check against what redelivery can explain).
    public func checks(countName: CheckName, guarantee: DeliveryGuarantee = .exactlyOnce) -> [Check] {
        let counted = guarantee.kind == .atLeastOnce ? foundCount - duplicates.count : foundCount
        let duplicatesFound = "\(duplicates.count)" + (alteredDuplicates > 0 ? " (\(alteredDuplicates) differing from their record)" : "")
        return [
            Check(name: countName, passed: counted == expectedCount, expected: String(expectedCount),
                  found: guarantee.kind == .atLeastOnce ? "\(counted) distinct of \(foundCount)" : String(foundCount)),
            Check(name: .key_set, passed: missing.isEmpty && unexpected.isEmpty, expected: "0 missing, 0 unexpected",
                  found: "\(missing.count) missing, \(unexpected.count) unexpected"),
            Check(name: .duplicates, passed: guarantee.allows(duplicates: duplicates.count, altered: alteredDuplicates),
                  expected: guarantee.allowedText, found: duplicatesFound),
            Check(name: .integrity, passed: mismatched == 0, expected: "0 mismatched records", found: "\(mismatched) mismatched records"),
        ]
    }

    /// Result members shared by every sink verification.
    public func resultMembers(rowsName: String) -> [(String, JSONValue)] {
        [
            ("\(rowsName)_expected", .int(expectedCount)),
            ("\(rowsName)_found", .int(foundCount)),
            ("missing", .int(missing.count)),
            ("unexpected", .int(unexpected.count)),
            ("duplicates", .int(duplicates.count)),
            ("altered_duplicates", .int(alteredDuplicates)),
            ("mismatched", .int(mismatched)),
            ("missing_keys", .array(missing.prefix(Self.maxListed).map { .string($0) })),
            ("unexpected_keys", .array(unexpected.prefix(Self.maxListed).map { .string($0) })),
            ("duplicate_keys", .array(duplicates.prefix(Self.maxListed).map { .string($0) })),
            ("sample_mismatches", .array(samples.map(\.json))),
        ]
    }
}
