// The Postgres layer: the only module that calls libpq. No libpq type leaves it.
import CPostgres
import Foundation

/// A libpq failure, with the SQLSTATE when the server sent one. Messages never contain the
/// connection string or its password.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// Five-character SQLSTATE, e.g. "42P01" (undefined table); nil for connection failures.
    public let sqlState: String?
    public init(_ message: String, sqlState: String? = nil) {
        self.message = message
        self.sqlState = sqlState
    }
    public var description: String { message }

    public var isUndefinedTable: Bool { sqlState == "42P01" }
    public var isUndefinedColumn: Bool { sqlState == "42703" }
    public var isStatementTimeout: Bool { sqlState == "57014" }
}

public struct PostgresColumn: Sendable, Equatable {
    public let name: String
    public let typeOID: UInt32
    /// A readable name for the common built-in types ("int8", "text", "timestamptz"...), "oid:N" otherwise.
    public var typeName: String { PostgresTypes.name(typeOID) }
}

/// A query result in text format: each cell is the server's text for the value, or nil for NULL.
public struct PostgresResult: Sendable {
    public let columns: [PostgresColumn]
    public let rows: [[String?]]
    /// Rows touched by INSERT/UPDATE/DELETE ("" for queries).
    public let commandTuples: Int?

    public func columnIndex(_ name: String) -> Int? { columns.firstIndex(where: { $0.name == name }) }
}

public enum PostgresTypes {
    public static let bool: UInt32 = 16
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802

    static let names: [UInt32: String] = [
        bool: "bool", int8: "int8", int2: "int2", int4: "int4", text: "text", json: "json", float4: "float4",
        float8: "float8", varchar: "varchar", 1042: "bpchar", date: "date", timestamp: "timestamp",
        timestamptz: "timestamptz", numeric: "numeric", uuid: "uuid", jsonb: "jsonb", 17: "bytea",
    ]

    public static func name(_ oid: UInt32) -> String { names[oid] ?? "oid:\(oid)" }
    public static func isInteger(_ oid: UInt32) -> Bool { oid == int2 || oid == int4 || oid == int8 }
    public static func isNumber(_ oid: UInt32) -> Bool { isInteger(oid) || oid == float4 || oid == float8 || oid == numeric }
    public static func isJSON(_ oid: UInt32) -> Bool { oid == json || oid == jsonb }
}

/// Safe SQL identifiers: `schema.table` becomes `"schema"."table"`, quotes doubled.
public enum PostgresIdentifier {
    public static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A possibly schema-qualified name; each part quoted separately.
    public static func quoteQualified(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false).map { quote(String($0)) }.joined(separator: ".")
    }
}

/// What a connection string points at, without the password: safe for messages.
public struct PostgresTarget: Sendable, CustomStringConvertible {
    public let host: String
    public let port: String
    public let database: String
    public let user: String
    public var description: String { "\(user.isEmpty ? "" : user + "@")\(host):\(port)/\(database)" }
}

/// One connection. Owns its PGconn: `PQfinish` in deinit, also after a failed connect
/// (libpq allocates the PGconn even when the connection fails).
public final class PostgresConnection {
    private let conn: OpaquePointer
    public let target: PostgresTarget
    private let secrets: [String]

    private init(conn: OpaquePointer, target: PostgresTarget, secrets: [String]) {
        self.conn = conn
        self.target = target
        self.secrets = secrets
    }

    deinit { PQfinish(conn) }

    /// Parses a libpq connection string or URI without connecting. Returns the target and the
    /// password (for redaction). libpq's own parse message can quote the input, so it is not shown.
    public static func describe(_ connectionString: String) throws -> (target: PostgresTarget, password: String?) {
        var errmsg: UnsafeMutablePointer<CChar>?
        // PQconninfoParse allocates the option array (free with PQconninfoFree) and, on failure, errmsg (PQfreemem).
        guard let options = PQconninfoParse(connectionString, &errmsg) else {
            if let errmsg { PQfreemem(errmsg) }
            throw PostgresError("the connection string is not a valid libpq URI or key=value string (expected e.g. postgresql://user@host:5432/db)")
        }
        defer { PQconninfoFree(options) }
        var values: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let val = option.pointee.val { values[String(cString: keyword)] = String(cString: val) }
            option += 1
        }
        let target = PostgresTarget(
            host: values["host"] ?? values["hostaddr"] ?? "localhost", port: values["port"] ?? "5432",
            database: values["dbname"] ?? values["user"] ?? "", user: values["user"] ?? "")
        return (target, values["password"])
    }

    /// Connects within `connectTimeout` seconds (libpq rounds up to at least 2) and sets
    /// `statement_timeout` so that no query can hang.
    public static func connect(_ connectionString: String, connectTimeout: Int, statementTimeoutMs: Int,
                               applicationName: String = "streamcheck") throws -> PostgresConnection {
        let (target, password) = try describe(connectionString)
        // Later keywords override what the expanded connection string says.
        let keywords = ["dbname", "connect_timeout", "application_name"]
        let values = [connectionString, String(max(connectTimeout, 1)), applicationName]
        let cKeywords = keywords.map { strdup($0) } + [nil]
        let cValues = values.map { strdup($0) } + [nil]
        defer {
            cKeywords.forEach { free($0) }
            cValues.forEach { free($0) }
        }
        let conn: OpaquePointer? = cKeywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { kw in
            cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { vals in
                PQconnectdbParams(kw.baseAddress, vals.baseAddress, 1)
            }
        }
        guard let conn else { throw PostgresError("libpq could not allocate a connection to \(target)") }
        let connection = PostgresConnection(conn: conn, target: target, secrets: [password, connectionString].compactMap { $0 }.filter { !$0.isEmpty })
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError("cannot connect to PostgreSQL at \(target): \(connection.lastError())")
        }
        _ = try connection.query("SELECT set_config('statement_timeout', $1, false)", parameters: [String(max(statementTimeoutMs, 1))])
        return connection
    }

    /// libpq's last message, one line, with anything secret removed.
    private func lastError() -> String {
        redact(String(cString: PQerrorMessage(conn)))
    }

    func redact(_ message: String) -> String {
        var text = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: "; ")
        for secret in secrets { text = text.replacingOccurrences(of: secret, with: "***") }
        return text
    }

    /// Runs one statement with text parameters ($1, $2...) and text results.
    public func query(_ sql: String, parameters: [String?] = []) throws -> PostgresResult {
        let cParams = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { cParams.forEach { free($0) } }
        // PQexecParams returns a PGresult we own (PQclear); nil only when out of memory.
        let result: OpaquePointer? = cParams.map { UnsafePointer($0) }.withUnsafeBufferPointer { params in
            PQexecParams(conn, sql, Int32(parameters.count), nil, params.baseAddress, nil, nil, 0)
        }
        guard let result else { throw PostgresError("PostgreSQL query failed: \(lastError())") }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message = redact(String(cString: PQresultErrorMessage(result)))
            throw PostgresError(message.isEmpty ? "PostgreSQL query failed: \(lastError())" : message, sqlState: sqlState)
        }
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { c in
            PostgresColumn(name: String(cString: PQfname(result, Int32(c))), typeOID: UInt32(PQftype(result, Int32(c))))
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<rowCount {
            var row: [String?] = []
            row.reserveCapacity(columnCount)
            for c in 0..<columnCount {
                if PQgetisnull(result, Int32(r), Int32(c)) == 1 {
                    row.append(nil)
                } else {
                    row.append(String(cString: PQgetvalue(result, Int32(r), Int32(c))))
                }
            }
            rows.append(row)
        }
        let tuples = String(cString: PQcmdTuples(result))
        return PostgresResult(columns: columns, rows: rows, commandTuples: Int(tuples))
    }
}
