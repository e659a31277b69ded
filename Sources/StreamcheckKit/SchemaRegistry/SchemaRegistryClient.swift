import Curl
import Foundation
import TerraformIO

/// How the subject a schema is registered under is named (Confluent's strategies).
public enum SubjectNameStrategy: String, CaseIterable, Sendable {
    case topic = "TopicNameStrategy"
    case record = "RecordNameStrategy"
    case topicRecord = "TopicRecordNameStrategy"

    /// `<topic>-value`, `<fullname>` or `<topic>-<fullname>`.
    public func subject(topic: String, recordFullName: String?) throws -> String {
        switch self {
        case .topic: return "\(topic)-value"
        case .record, .topicRecord:
            guard let name = recordFullName else {
                throw StreamcheckError("subject_name_strategy \(rawValue) needs a named schema (record, enum or fixed); use TopicNameStrategy for this schema")
            }
            return self == .record ? name : "\(topic)-\(name)"
        }
    }
}

/// A failure answered or caused by the registry, as one line. `errorCode` is Confluent's
/// (40401, 40403, 409, 42201, ...), `status` the HTTP status, both nil when unreachable.
public struct SchemaRegistryError: Error, CustomStringConvertible, Sendable {
    public let status: Int?
    public let errorCode: Int?
    public let message: String
    public var description: String { message }
}

/// A Confluent Schema Registry client over the Curl layer. Credentials come only from the
/// environment (STREAMCHECK_SCHEMA_REGISTRY_USERNAME / _PASSWORD) and never appear in messages.
/// Schemas fetched by id are cached: ids are immutable in a registry.
public final class SchemaRegistryClient: @unchecked Sendable {
    public static let usernameVariable = "STREAMCHECK_SCHEMA_REGISTRY_USERNAME"
    public static let passwordVariable = "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD"

    public let baseURL: String
    let credentials: (user: String, password: String)?
    /// Bound on each request, seconds (connect bound is the smaller of this and 5 s).
    public let timeout: Double
    private let lock = NSLock()
    private var schemasById: [Int: String] = [:]

    public init(url: String, timeout: Double = 10, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var trimmed = url.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") else {
            throw StreamcheckError("schema_registry_url \(HTTPClient.redact(url)): must start with http:// or https://")
        }
        if let schemeEnd = trimmed.range(of: "://"), trimmed[schemeEnd.upperBound...].split(separator: "/").first?.contains("@") == true {
            throw StreamcheckError("schema_registry_url must not carry credentials; set \(Self.usernameVariable) and \(Self.passwordVariable) instead")
        }
        baseURL = trimmed
        self.timeout = timeout
        if let user = environment[Self.usernameVariable], !user.isEmpty {
            credentials = (user, environment[Self.passwordVariable] ?? "")
        } else {
            credentials = nil
        }
    }

    // MARK: API

    /// Registers `schema` (Avro JSON text) under `subject`; returns its id (existing id when already registered).
    public func register(subject: String, schema: String) throws -> Int {
        let body = JSONValue.object([("schema", .string(schema))])
        let answer = try call("POST", "/subjects/\(Self.escape(subject))/versions", body: body, context: "registering the schema under subject \(subject)")
        guard let id = answer["id"]?.int64Value else { throw invalidAnswer("registering under subject \(subject)") }
        return Int(id)
    }

    /// The id of `schema` if it is already registered under `subject`.
    public func lookup(subject: String, schema: String) throws -> Int {
        let body = JSONValue.object([("schema", .string(schema))])
        let answer = try call("POST", "/subjects/\(Self.escape(subject))", body: body, context: "looking up the schema under subject \(subject)")
        guard let id = answer["id"]?.int64Value else { throw invalidAnswer("looking up subject \(subject)") }
        return Int(id)
    }

    /// The schema text registered with `id` (cached).
    public func schema(id: Int) throws -> String {
        lock.lock()
        if let cached = schemasById[id] { lock.unlock(); return cached }
        lock.unlock()
        let answer = try call("GET", "/schemas/ids/\(id)", body: nil, context: "fetching schema id \(id)")
        guard let text = answer["schema"]?.stringValue else { throw invalidAnswer("fetching schema id \(id)") }
        lock.lock()
        schemasById[id] = text
        lock.unlock()
        return text
    }

    /// A version of a subject ("latest" or a number): its id, version and schema text.
    public func version(subject: String, version: String = "latest") throws -> (id: Int, version: Int, schema: String) {
        let answer = try call("GET", "/subjects/\(Self.escape(subject))/versions/\(version)", body: nil, context: "reading version \(version) of subject \(subject)")
        guard let id = answer["id"]?.int64Value, let number = answer["version"]?.int64Value, let text = answer["schema"]?.stringValue else {
            throw invalidAnswer("reading subject \(subject)")
        }
        return (Int(id), Int(number), text)
    }

    /// Whether `schema` is compatible with the subject's latest version under the subject's
    /// compatibility level. A subject that does not exist yet accepts anything.
    public func checkCompatibility(subject: String, schema: String) throws -> (compatible: Bool, messages: [String]) {
        let body = JSONValue.object([("schema", .string(schema))])
        do {
            let answer = try call("POST", "/compatibility/subjects/\(Self.escape(subject))/versions/latest?verbose=true", body: body,
                                  context: "checking compatibility with subject \(subject)")
            guard let compatible = answer["is_compatible"]?.boolValue else { throw invalidAnswer("checking compatibility with \(subject)") }
            return (compatible, (answer["messages"]?.arrayValue ?? []).compactMap(\.stringValue))
        } catch let error as SchemaRegistryError where error.errorCode == 40401 || error.errorCode == 40402 {
            return (true, [])
        }
    }

    // MARK: HTTP

    static func escape(_ part: String) -> String {
        part.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? part
    }

    func invalidAnswer(_ what: String) -> SchemaRegistryError {
        SchemaRegistryError(status: nil, errorCode: nil, message: "Schema Registry at \(baseURL) gave an answer streamcheck does not understand while \(what); check that schema_registry_url points at a Schema Registry")
    }

    func call(_ method: String, _ path: String, body: JSONValue?, context: String) throws -> JSONValue {
        var request = HTTPRequest(method: method, url: baseURL + path,
                                  headers: [("Accept", "application/vnd.schemaregistry.v1+json, application/json"),
                                            ("Content-Type", "application/vnd.schemaregistry.v1+json")],
                                  body: body.map { Array($0.encoded().utf8) },
                                  timeout: timeout, connectTimeout: min(timeout, 5))
        request.basicAuth = credentials
        let response: HTTPResponse
        do { response = try HTTPClient.perform(request) } catch let error as HTTPTransportError {
            let why = error.isTimeout ? "no answer within \(JSONValue.format(timeout))s" : error.reason
            throw SchemaRegistryError(status: nil, errorCode: nil,
                                      message: "Schema Registry at \(baseURL) is unreachable while \(context): \(why); check schema_registry_url and that the registry is running")
        }
        let answer = (try? JSONValue.parse(bytes: response.body)) ?? .null
        if (200..<300).contains(response.status) { return answer }
        let code = answer["error_code"]?.int64Value.map(Int.init)
        let detail = answer["message"]?.stringValue ?? String(response.bodyText.prefix(200))
        throw SchemaRegistryError(status: response.status, errorCode: code, message: Self.explain(status: response.status, code: code, detail: detail, context: context, baseURL: baseURL))
    }

    static func explain(status: Int, code: Int?, detail: String, context: String, baseURL: String) -> String {
        let prefix = "Schema Registry at \(baseURL) refused \(context)"
        switch (status, code) {
        case (401, _):
            return "\(prefix): 401 unauthorized; set \(usernameVariable) and \(passwordVariable) to valid credentials"
        case (403, _):
            return "\(prefix): 403 forbidden; the credentials in \(usernameVariable) lack permission for this subject"
        case (_, 40401?):
            return "\(prefix): subject not found (40401); register a schema under it first or check subject_name_strategy and the topic"
        case (_, 40402?):
            return "\(prefix): version not found (40402)"
        case (_, 40403?):
            return "\(prefix): schema not found (40403); the message names a schema id this registry does not know"
        case (409, _):
            return "\(prefix): the schema is incompatible with the subject's registered versions (409: \(detail)); evolve it compatibly or change the subject's compatibility level"
        case (_, 42201?):
            return "\(prefix): the registry says the schema is invalid (42201: \(detail)); fix schema_file"
        default:
            return "\(prefix): HTTP \(status)\(code.map { " error \($0)" } ?? ""): \(detail)"
        }
    }
}
