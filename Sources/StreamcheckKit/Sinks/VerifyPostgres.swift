import Foundation
import Postgres
import TerraformIO

extension Operations {
    public static let verifySinkPostgres = OperationDefinition(
        words: ["verify-sink", "postgres"],
        summary: "Compare a PostgreSQL table with a manifest: row count, key set, field values, duplicates, rows from other runs.",
        parameters: [
            SinkParameters.manifest,
            ParameterSpec("table", .string, required: true, help: "The table the sink connector writes, optionally schema-qualified (public.events)."),
            ParameterSpec("key_column", .string, required: true, help: "The column holding each record's key."),
            ParameterSpec("key_field", .string, help: "The record field (after transforms) that the key column holds (default: the key column's name)."),
            ParameterSpec("run_id_column", .string, help: "A column holding the run id: rows of other runs are counted as foreign and otherwise ignored."),
            ParameterSpec("columns", .keyValues, help: "field=column pairs where a column name differs from the record field name."),
        ] + SinkParameters.comparing + [
            ParameterSpec("connection", .string, help: "Not accepted: a connection string holds a password; set STREAMCHECK_POSTGRES_URL in the environment instead."),
        ]
    ) { p in try PostgresSinkVerifier.run(p) }
}

public enum PostgresSinkVerifier {
    public static let urlVariable = "STREAMCHECK_POSTGRES_URL"

    static func run(_ p: Parameters) throws -> OperationOutcome {
        if p.has("connection") {
            throw StreamcheckError("'\(p.name("connection"))' is not accepted: connection strings hold a password; set \(urlVariable) in the environment instead")
        }
        guard let url = try SecretEnvironment.current()[urlVariable], !url.isEmpty else {
            throw StreamcheckError("\(urlVariable) is not set: export it with the connection string (postgresql://user:password@host:5432/db); it is read only from the environment because it holds a password")
        }
        let deadline = Deadline(seconds: try p.duration("timeout") ?? 60)
        let waitForComplete = try p.bool("wait_for_complete") ?? true
        let pollInterval = try p.duration("poll_interval") ?? 1
        let table = try p.requiredString("table")
        let keyColumn = try p.requiredString("key_column")
        let runIdColumn = p.string("run_id_column")
        var fieldToColumn: [(String, String)] = try p.keyValues("columns")
        let keyField = p.string("key_field") ?? fieldToColumn.first(where: { $0.1 == keyColumn })?.0 ?? keyColumn
        if !fieldToColumn.contains(where: { $0.0 == keyField }) { fieldToColumn.append((keyField, keyColumn)) }
        let columnToField = Dictionary(fieldToColumn.map { ($0.1, $0.0) }, uniquingKeysWith: { a, _ in a })
        let columnFor = Dictionary(fieldToColumn, uniquingKeysWith: { a, _ in a })

        let guarantee = try DeliveryGuarantee.from(p)
        let expectation = try SinkExpectation.load(manifestPath: try p.requiredString("manifest"), transforms: try SinkParameters.transformChain(p), asSQL: true)
        let runId = expectation.manifest.header.runId
        if let clash = SinkComparison.nonUniqueKey(expectation.records, field: keyField) {
            throw StreamcheckError("key field '\(keyField)' is not unique in the manifest's records (seq \(clash.first) and \(clash.second) both have '\(clash.key)'); give '\(p.name("key_field"))' a field that identifies each record")
        }
        let expectedKeys = Set(expectation.records.map { FieldMatch.keyText($0.record[keyField] ?? .null) })

        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(url, connectTimeout: Int(min(10, max(2, deadline.remaining)).rounded(.up)),
                                                        statementTimeoutMs: Int(max(deadline.remaining, 1) * 1000))
        } catch let error as PostgresError {
            throw StreamcheckError("\(error.message) (from \(urlVariable))")
        }
        let quotedTable = PostgresIdentifier.quoteQualified(table)
        let runFilter = runIdColumn.map { " WHERE \(PostgresIdentifier.quote($0)) = $1" } ?? ""
        let runParameters: [String?] = runIdColumn == nil ? [] : [runId]

        func explain(_ error: PostgresError) -> StreamcheckError {
            if error.isUndefinedTable { return StreamcheckError("table '\(table)' does not exist in \(connection.target); check '\(p.name("table"))'") }
            if error.isUndefinedColumn { return StreamcheckError("\(error.message); check '\(p.name("key_column"))' and '\(p.name("run_id_column"))'") }
            if error.isStatementTimeout { return StreamcheckError("query on '\(table)' did not finish within the timeout (\(Duration.describe(deadline.seconds)))") }
            return StreamcheckError("query on '\(table)' failed: \(error.message)")
        }

        // Wait until every expected key is present, reading only the key column.
        var polls = 0
        var complete = false
        while true {
            polls += 1
            do {
                let keys = try connection.query("SELECT \(PostgresIdentifier.quote(keyColumn)) FROM \(quotedTable)\(runFilter)", parameters: runParameters)
                let present = Set(keys.rows.map { $0[0].map { FieldMatch.keyText(.string($0)) } ?? "null" })
                complete = expectedKeys.isSubset(of: present)
            } catch let error as PostgresError where error.isUndefinedTable && waitForComplete && !deadline.passed {
                // A sink connector may create the table on its first write.
            } catch let error as PostgresError {
                throw explain(error)
            }
            if complete || !waitForComplete || deadline.remaining <= 0 { break }
            SinkPolling.sleep(seconds: min(pollInterval, deadline.remaining))
        }

        let rows: PostgresResult
        var foreign = 0
        do {
            rows = try connection.query("SELECT * FROM \(quotedTable)\(runFilter)", parameters: runParameters)
            if let runIdColumn {
                let other = try connection.query("SELECT count(*) FROM \(quotedTable) WHERE \(PostgresIdentifier.quote(runIdColumn)) IS DISTINCT FROM $1", parameters: [runId])
                foreign = other.rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
            }
        } catch let error as PostgresError {
            throw explain(error)
        }

        // Expected fields that have no column cannot be compared: the "columns" check says so.
        let columnNames = Set(rows.columns.map(\.name))
        var expectedFields: [String] = []
        for record in expectation.records {
            for (name, _) in record.record.objectValue ?? [] where !expectedFields.contains(name) { expectedFields.append(name) }
        }
        let ignored = Set(p.list("ignore_fields"))
        let missingColumns = expectedFields.filter { !ignored.contains($0) && !columnNames.contains(columnFor[$0] ?? $0) }
        let found = rows.rows.enumerated().map { index, row in
            FoundRecord(record: PostgresRows.record(row, columns: rows.columns, columnToField: columnToField), location: "row \(index + 1)")
        }
        let comparison = SinkComparison.compare(expected: expectation.records, found: found, pairing: .key(field: keyField),
                                                strictFields: false, ignoredFields: ignored.union(missingColumns))
        let columnsCheck = Check(name: .columns, passed: missingColumns.isEmpty, expected: "a column for each of \(expectedFields.count) fields",
                                 found: missingColumns.isEmpty ? "all present" : "no column for " + missingColumns.joined(separator: ", "))
        return SinkParameters.outcome(
            operation: "verify-sink postgres", target: "table \(table)", comparison: comparison, extraChecks: [columnsCheck],
            countName: .row_count, rowsName: "rows", guarantee: guarantee,
            leading: [("table", .string(table)), ("run_id", .string(runId))],
            trailing: [("foreign", .int(foreign)), ("complete", .bool(complete)), ("polls", .int(polls)), ("waited_ms", .int(deadline.elapsedMs))])
    }
}

/// Table rows as records: each cell typed by its column (numbers, booleans, JSON), named by
/// the record field it holds.
public enum PostgresRows {
    public static func record(_ row: [String?], columns: [PostgresColumn], columnToField: [String: String]) -> JSONValue {
        .object(zip(columns, row).map { column, cell in (columnToField[column.name] ?? column.name, value(cell, type: column.typeOID)) })
    }

    public static func value(_ cell: String?, type: UInt32) -> JSONValue {
        guard let cell else { return .null }
        if type == PostgresTypes.bool { return .bool(cell == "t") }
        if PostgresTypes.isNumber(type) {
            if let i = Int64(cell) { return .int(i) }
            if let d = Double(cell) { return .double(d) }
            return .string(cell)
        }
        if PostgresTypes.isJSON(type), let parsed = try? JSONValue.parse(cell) { return parsed }
        return .string(cell)
    }
}
