import Foundation
@testable import Postgres
import Testing
@testable import StreamcheckKit
import TerraformIO

private func json(_ text: String) -> JSONValue { try! JSONValue.parse(text) }

@Suite struct FieldMatchTests {
    @Test(arguments: [
        (JSONValue.int(42), JSONValue.string("42")),
        (.string("42"), .int(42)),
        (.double(12.5), .string("12.50")),
        (.double(12.5), .int(12) == .int(12) ? .double(12.5) : .null),
        (.int(3), .double(3.0)),
        (.double(0.1), .double(Double(Float(0.1)))),          // a float4 column
        (.string("2024-05-01T10:00:00Z"), .string("2024-05-01 12:00:00+02")),
        (.string("2024-05-01T10:00:00.250Z"), .string("2024-05-01 10:00:00.25")),
        (.string("2024-05-01"), .string("2024-05-01T00:00:00Z")),
        (.int(1_714_557_600_000), .string("2024-05-01 10:00:00+00")),   // epoch millis in a timestamptz
        (.bool(true), .string("t")),
        (.bool(false), .string("false")),
        (.bool(true), .int(1)),
        (json(#"{"a": 1, "b": [1, "x"]}"#), .string(#"{"b": [1, "x"], "a": 1}"#)),
        (json(#"{"a": 1}"#), json(#"{"a": "1"}"#)),
        (.null, .null),
    ])
    func sameValues(expected: JSONValue, found: JSONValue) {
        #expect(FieldMatch.matches(expected, found))
    }

    @Test(arguments: [
        (JSONValue.int(42), JSONValue.string("43")),
        (.string("abc"), .string("abd")),
        (.double(12.5), .double(12.6)),
        (.int(9_007_199_254_740_993), .int(9_007_199_254_740_992)),
        (.string("2024-05-01T10:00:00Z"), .string("2024-05-01T10:00:01Z")),
        (.bool(true), .string("f")),
        (.null, .string("")),
        (.string(""), .null),
        (json(#"{"a": 1}"#), json(#"{"a": 1, "b": 2}"#)),
        (json("[1, 2]"), json("[2, 1]")),
        (.string("42"), .string("forty-two")),
    ])
    func differentValues(expected: JSONValue, found: JSONValue) {
        #expect(!FieldMatch.matches(expected, found))
    }

    @Test func keysCompareAcrossTypes() {
        #expect(FieldMatch.keyText(.int(42)) == "42")
        #expect(FieldMatch.keyText(.double(42)) == "42")
        #expect(FieldMatch.keyText(.string("42")) == "42")
        #expect(FieldMatch.keyText(.string("user-1")) == "user-1")
    }

    @Test func timestamps() {
        #expect(Timestamp.parseMicros("1970-01-01T00:00:00Z") == 0)
        #expect(Timestamp.parseMicros("1970-01-02 00:00:00.000001+00:00") == 86_400_000_001)
        let march2000: Int64 = 951_868_800_000_000 + 5_400_000_000  // 00:00 at -01:30 is 01:30 UTC
        #expect(Timestamp.parseMicros("2000-03-01T00:00:00-0130") == march2000)
        #expect(Timestamp.parseMicros("2024-13-01") == nil)
        #expect(Timestamp.parseMicros("12:00") == nil)
        #expect(Timestamp.parseMicros("2024-05-01T10:00:00Zjunk") == nil)
    }
}

@Suite struct SinkComparisonTests {
    func expected(_ n: Int) -> [ExpectedRecord] {
        (0..<n).map { ExpectedRecord(seq: $0, record: .object([("id", .int($0)), ("name", .string("user-\($0)")), ("amount", .double(Double($0) * 1.5))])) }
    }
    func found(_ records: [ExpectedRecord]) -> [FoundRecord] {
        records.enumerated().map { FoundRecord(record: $1.record, location: "row \($0 + 1)") }
    }

    @Test func everythingPresentPasses() {
        let want = expected(5)
        for pairing in [RecordPairing.key(field: "id"), .digest] {
            let result = SinkComparison.compare(expected: want, found: found(want.reversed()), pairing: pairing, strictFields: true)
            #expect(result.passed)
            #expect(result.checks(countName: .row_count).allSatisfy { $0.passed })
        }
    }

    @Test func byKeyFindsMissingUnexpectedDuplicatesAndChangedFields() {
        let want = expected(5)
        var rows = found(want)
        rows.remove(at: 1)                                                                  // id 1 missing
        rows.append(FoundRecord(record: json(#"{"id": 99, "name": "x", "amount": 0}"#), location: "row 9"))   // unexpected
        rows.append(FoundRecord(record: want[2].record, location: "row 10"))                // duplicate of id 2
        rows[2] = FoundRecord(record: json(#"{"id": "3", "name": "user-3", "amount": "4.6"}"#), location: "row 3")  // changed
        let result = SinkComparison.compare(expected: want, found: rows, pairing: .key(field: "id"), strictFields: false)
        #expect(result.missing == ["1"])
        #expect(result.unexpected == ["99"])
        #expect(result.duplicates == ["2"])
        #expect(result.mismatched == 1)
        #expect(result.samples == [FieldMismatch(location: "row 3", key: "3", field: "amount", expected: "4.5", found: "4.6")])
        #expect(result.checks(countName: .row_count).filter { !$0.passed }.map(\.name) == ["row_count", "key_set", "duplicates", "integrity"])
    }

    @Test func extraFieldsCountOnlyWhenStrict() {
        let want = expected(1)
        let rows = [FoundRecord(record: json(#"{"id": 0, "name": "user-0", "amount": 0, "run_id": "r"}"#), location: "row 1")]
        #expect(SinkComparison.compare(expected: want, found: rows, pairing: .key(field: "id"), strictFields: false).passed)
        let strict = SinkComparison.compare(expected: want, found: rows, pairing: .key(field: "id"), strictFields: true)
        #expect(strict.mismatched == 1 && strict.samples.first?.field == "run_id")
        #expect(SinkComparison.compare(expected: want, found: rows, pairing: .key(field: "id"), strictFields: true, ignoredFields: ["run_id"]).passed)
    }

    @Test func byDigestPairsAChangedRecordWithItsOriginal() {
        let want = expected(6)
        var lines = found(want)
        lines[3] = FoundRecord(record: json(#"{"id": 3, "name": "tampered", "amount": 4.5}"#), location: "s3://b/k line 4")
        let result = SinkComparison.compare(expected: want, found: lines, pairing: .digest, strictFields: true)
        #expect(result.missing.isEmpty && result.unexpected.isEmpty && result.duplicates.isEmpty)
        #expect(result.mismatched == 1)
        #expect(result.samples == [FieldMismatch(location: "s3://b/k line 4", key: "seq 3", field: "name", expected: "user-3", found: "tampered")])
    }

    @Test func byDigestToleratesTypesAndCountsDuplicatesAndStrangers() {
        let want = expected(4)
        var lines = found(want)
        lines[0] = FoundRecord(record: json(#"{"amount": "0", "name": "user-0", "id": "0"}"#), location: "line 1")  // same values, other types
        lines.append(lines[1])                                                                                    // duplicate
        lines.append(FoundRecord(record: json(#"{"something": "else"}"#), location: "line 9"))                    // unrelated
        lines.remove(at: 2)                                                                                       // seq 2 missing
        let result = SinkComparison.compare(expected: want, found: lines, pairing: .digest, strictFields: true)
        #expect(result.mismatched == 0)
        #expect(result.duplicates.count == 1)
        #expect(result.unexpected.count == 1)
        #expect(result.missing == ["seq 2"])
    }

    @Test func keysMustBeUniqueToPairByKey() {
        #expect(SinkComparison.nonUniqueKey(expected(5), field: "id") == nil)
        let clash = SinkComparison.nonUniqueKey(expected(3) + [ExpectedRecord(seq: 3, record: json(#"{"id": "1"}"#))], field: "id")
        #expect(clash?.key == "1" && clash?.first == 1 && clash?.second == 3)
        #expect(SinkComparison.nonUniqueKey(expected(2), field: "absent")?.key == "null")
    }

    @Test func identicalRecordsAtSeveralSeqsAreNotDuplicates() {
        let same = json(#"{"a": 1}"#)
        let want = [ExpectedRecord(seq: 0, record: same), ExpectedRecord(seq: 1, record: same)]
        let two = SinkComparison.compare(expected: want, found: [FoundRecord(record: same, location: "1"), FoundRecord(record: same, location: "2")],
                                         pairing: .digest, strictFields: true)
        #expect(two.passed)
        let three = SinkComparison.compare(expected: want, found: (1...3).map { FoundRecord(record: same, location: "\($0)") }, pairing: .digest, strictFields: true)
        #expect(three.duplicates.count == 1)
    }
}

@Suite struct PostgresRowTests {
    @Test func cellsAreTypedByColumn() {
        #expect(PostgresRows.value("42", type: PostgresTypes.int8) == .int(42))
        #expect(PostgresRows.value("12.50", type: PostgresTypes.numeric) == .double(12.5))
        #expect(PostgresRows.value("t", type: PostgresTypes.bool) == .bool(true))
        #expect(PostgresRows.value(#"{"a": 1}"#, type: PostgresTypes.jsonb) == .object([("a", .int(1))]))
        #expect(PostgresRows.value("2024-05-01 10:00:00+00", type: PostgresTypes.timestamptz) == .string("2024-05-01 10:00:00+00"))
        #expect(PostgresRows.value(nil, type: PostgresTypes.text) == .null)
    }

    @Test func rowsBecomeRecordsNamedByField() {
        let columns = [PostgresColumn(name: "id", typeOID: PostgresTypes.int4), PostgresColumn(name: "full_name", typeOID: PostgresTypes.text)]
        let record = PostgresRows.record(["7", "ann"], columns: columns, columnToField: ["full_name": "name"])
        #expect(record == json(#"{"id": 7, "name": "ann"}"#))
    }

    @Test func identifiersAreQuoted() {
        #expect(PostgresIdentifier.quote(#"we"ird"#) == #""we""ird""#)
        #expect(PostgresIdentifier.quoteQualified("public.events") == #""public"."events""#)
    }

    @Test func connectionStringsAreDescribedWithoutThePassword() throws {
        let (target, password) = try PostgresConnection.describe("postgresql://app:s3cret@db.example:6543/orders?sslmode=require")
        #expect(target.description == "app@db.example:6543/orders")
        #expect(password == "s3cret")
        #expect {
            try PostgresConnection.describe("postgresql://app:s3cret@db/x?nonsense=1")
        } throws: { !"\($0)".contains("s3cret") }
    }
}

@Suite struct SeedLayoutTests {
    @Test func anyTwoOfTheThreeCounts() throws {
        #expect(try SeedLayout.resolve(messageCount: 250, objectCount: nil, recordsPerObject: 100) == SeedLayout(messageCount: 250, recordsPerObject: 100))
        #expect(try SeedLayout.resolve(messageCount: 250, objectCount: nil, recordsPerObject: 100).objectCount == 3)
        #expect(try SeedLayout.resolve(messageCount: 10, objectCount: 3, recordsPerObject: nil).recordsPerObject == 4)
        #expect(try SeedLayout.resolve(messageCount: nil, objectCount: 3, recordsPerObject: 7).messageCount == 21)
        #expect(try SeedLayout.resolve(messageCount: 30, objectCount: nil, recordsPerObject: nil).recordsPerObject == 30)
        #expect(try SeedLayout.resolve(messageCount: 250, objectCount: nil, recordsPerObject: 100).range(ofObject: 2) == 200..<250)
        #expect(throws: StreamcheckError.self) { try SeedLayout.resolve(messageCount: nil, objectCount: nil, recordsPerObject: 5) }
        #expect(throws: StreamcheckError.self) { try SeedLayout.resolve(messageCount: 2, objectCount: 3, recordsPerObject: nil) }
        #expect(throws: StreamcheckError.self) { try SeedLayout.resolve(messageCount: 10, objectCount: 5, recordsPerObject: 5) }
    }

    @Test func expectedSeqsDependOnWhereTheManifestCameFrom() {
        let entries = [ManifestEntry(partition: 0, offset: 0, keyHash: 0, digest: 1, producedAt: 0),
                       ManifestEntry(partition: ManifestEntry.neverAcknowledged, offset: -1, keyHash: 0, digest: 2, producedAt: 0),
                       ManifestEntry(partition: ManifestEntry.notThroughKafka, offset: -1, keyHash: 0, digest: 3, producedAt: 0)]
        func header(_ extra: [(String, JSONValue)]) -> ManifestHeader {
            ManifestHeader(runId: "r", topic: "t", dataFormat: "json", messageCount: 3, seed: 1, keyStrategy: "none", startedAtMs: 0, extra: extra)
        }
        // Acknowledged by Kafka, or written outside it on purpose: expected. A failed produce: not.
        #expect(SinkExpectation.expectedSeqs(Manifest(header: header([]), entries: entries)) == [0, 2])
    }
}

@Suite struct DeliveryGuaranteeTests {
    let want = (0..<4).map { ExpectedRecord(seq: $0, record: .object([("id", .int($0)), ("name", .string("user-\($0)"))])) }
    func rows(_ records: [JSONValue]) -> [FoundRecord] {
        records.enumerated().map { FoundRecord(record: $1, location: "row \($0 + 1)") }
    }
    func failed(_ result: SinkComparison, _ guarantee: DeliveryGuarantee) -> [String] {
        result.checks(countName: .row_count, guarantee: guarantee).filter { !$0.passed }.map(\.name)
    }

    @Test func redeliveredCopiesPassAtLeastOnceWithinTheBound() {
        // Rows 0 and 1 were written, the task failed, and a restart delivered them again.
        let found = rows(want.map(\.record) + [want[0].record, want[1].record])
        let result = SinkComparison.compare(expected: want, found: found, pairing: .key(field: "id"), strictFields: false)
        #expect(result.duplicates == ["0", "1"] && result.alteredDuplicates == 0)
        #expect(failed(result, .exactlyOnce) == ["row_count", "duplicates"])
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce)) == [])
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce, maxRedelivered: 2)) == [])
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce, maxRedelivered: 1)) == ["duplicates"])
        let check = result.checks(countName: .row_count, guarantee: DeliveryGuarantee(.atLeastOnce, maxRedelivered: 1))[2]
        #expect(check.expected == "at most 1 identical copies (at-least-once)" && check.found == "2")
    }

    @Test func aCopyThatDiffersIsNeverRedelivery() {
        let found = rows(want.map(\.record) + [.object([("id", .int(2)), ("name", .string("changed"))])])
        let result = SinkComparison.compare(expected: want, found: found, pairing: .key(field: "id"), strictFields: false)
        #expect(result.alteredDuplicates == 1)
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce)) == ["duplicates"])
    }

    @Test func atLeastOnceStillNeedsEveryRecord() {
        let found = rows([want[0].record, want[1].record, want[2].record, want[2].record])
        let result = SinkComparison.compare(expected: want, found: found, pairing: .key(field: "id"), strictFields: false)
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce)) == ["row_count", "key_set"])
    }

    @Test func digestPairingCountsCopiesToo() {
        let found = rows(want.map(\.record) + [want[3].record])
        let result = SinkComparison.compare(expected: want, found: found, pairing: .digest, strictFields: true)
        #expect(failed(result, .exactlyOnce) == ["row_count", "duplicates"])
        #expect(failed(result, DeliveryGuarantee(.atLeastOnce, maxRedelivered: 1)) == [])
    }

    @Test func exactlyOnceHasNoRedeliveryBound() {
        #expect(DeliveryGuarantee(.exactlyOnce, maxRedelivered: 5).maxRedelivered == 0)
    }
}
