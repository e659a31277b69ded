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
/// It is never a verdict on the data: a consume that meets it stops with an error (exit 1).
public struct SchemaRegistryError: Error, CustomStringConvertible, Sendable, VerificationCannotContinue {
    public let status: Int?
    public let errorCode: Int?
    public let message: String
    /// The registry's own message, as it sent it.
    public let detail: String
    public var description: String { message }

    public init(status: Int?, errorCode: Int?, detail: String = "", message: String) {
        self.status = status
        self.errorCode = errorCode
        self.detail = detail
        self.message = message
    }

    /// Confluent answers an incompatible schema with 409, and error code 40901 from 8.0.4.
    public var isIncompatible: Bool { status == 409 || errorCode == 409 || errorCode == 40901 }
}

/// A Confluent Schema Registry client over the Curl layer (Confluent Platform, Confluent Cloud
/// and Karapace answer the same routes). Credentials come only from the environment
/// (STREAMCHECK_SCHEMA_REGISTRY_USERNAME / _PASSWORD) and never appear in messages; a private CA
/// from STREAMCHECK_SCHEMA_REGISTRY_CA_FILE. Schemas fetched by id are cached: ids are immutable.
///
/// Requests answered 408, 429, 500, 502, 503 or 504, timed out or refused are sent again with
/// backoff (the statuses Confluent's own client retries) until `retryFor` seconds have passed;
/// a 429's Retry-After is honoured within that bound.
public final class SchemaRegistryClient: @unchecked Sendable {
    public static let usernameVariable = "STREAMCHECK_SCHEMA_REGISTRY_USERNAME"
    public static let passwordVariable = "STREAMCHECK_SCHEMA_REGISTRY_PASSWORD"
    public static let caFileVariable = "STREAMCHECK_SCHEMA_REGISTRY_CA_FILE"
    /// The statuses a registry gives while it cannot serve the request yet.
    static let transientStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    public let baseURL: String
    let credentials: (user: String, password: String)?
    let caFile: String?
    /// Bound on each request, seconds (connect bound is the smaller of this and 5 s).
    public let timeout: Double
    /// Bound on one call's retries, seconds: the request plus every retry ends within it.
    public let retryFor: Double
    var backoff = RetryPolicy(initialDelay: 0.2, maximumDelay: 3)
    private let lock = NSLock()
    private var schemasById: [Int: RegisteredSchema] = [:]
    /// Set once a call has spent its retries: later calls fail at once with the same line, so
    /// an operation never waits out the budget again for each message that needs the registry.
    private var gaveUp: SchemaRegistryError?

    public init(url: String, timeout: Double = 10, retryFor: Double = 30,
                environment: [String: String]? = nil) throws {
        let environment = try SecretEnvironment.current(environment ?? ProcessInfo.processInfo.environment)
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
        self.retryFor = max(retryFor, 0.1)
        if let user = environment[Self.usernameVariable], !user.isEmpty {
            credentials = (user, environment[Self.passwordVariable] ?? "")
        } else {
            credentials = nil
        }
        if let ca = environment[Self.caFileVariable], !ca.isEmpty {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw StreamcheckError("\(Self.caFileVariable) \(ca): cannot read the file; it must be a PEM CA bundle")
            }
            caFile = ca
        } else {
            caFile = nil
        }
    }

    // MARK: API

    /// Registers `schema` (Avro JSON text) under `subject`; returns its id (the existing id
    /// when already registered). Registers answer `id` and, from Confluent 7.5, also version,
    /// schemaType and schema: only the id is read.
    public func register(subject: String, schema: String) throws -> Int {
        let body = JSONValue.object([("schema", .string(schema))])
        let context = "registering the schema under subject \(subject)"
        let answer: JSONValue
        do { answer = try call("POST", "/subjects/\(Self.escape(subject))/versions", body: body, context: context) } catch let error as SchemaRegistryError where error.isIncompatible {
            // Name the fields the registry's paths point at in the schema being registered.
            let differences = CompatibilityMessages.describe([error.detail], newSchema: schema)
            let why = differences.isEmpty ? Self.oneLine(error.detail) : differences.joined(separator: "; ")
            throw SchemaRegistryError(status: error.status, errorCode: error.errorCode, detail: error.detail,
                                      message: "Schema Registry at \(baseURL) refused \(context): the schema is incompatible with the subject's registered versions (\(error.errorCode ?? 409): \(why)); evolve it compatibly or change the subject's compatibility level")
        }
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

    /// The id to produce with: registered when `register` (the default), else looked up. A
    /// registry that refuses the registration (403: read-only credentials, as CI often has)
    /// is asked whether the schema is already there, and that id is used.
    public func idForProducing(subject: String, schema: String, register: Bool) throws -> (id: Int, registered: Bool) {
        if register {
            do { return (try self.register(subject: subject, schema: schema), true) } catch let error as SchemaRegistryError where error.status == 403 {
                do { return (try lookup(subject: subject, schema: schema), false) } catch let lookupError as SchemaRegistryError
                    where lookupError.errorCode == 40401 || lookupError.errorCode == 40403 {
                    throw SchemaRegistryError(status: 403, errorCode: error.errorCode,
                                              message: "Schema Registry at \(baseURL) refused registering the schema under subject \(subject) (403: the credentials may only read) and it is not registered there yet; register it with credentials that may write, or check subject_name_strategy")
                }
            }
        }
        do { return (try lookup(subject: subject, schema: schema), false) } catch let error as SchemaRegistryError
            where error.errorCode == 40401 || error.errorCode == 40403 {
            throw SchemaRegistryError(status: error.status, errorCode: error.errorCode,
                                      message: "Schema Registry at \(baseURL) has no such schema under subject \(subject) (\(error.errorCode!)) and auto_register_schemas is false; register it first, or check subject_name_strategy")
        }
    }

    /// A schema as the registry holds it under an id: its text, its type (AVRO when the
    /// registry leaves it out) and the named types it references in other subjects.
    public struct RegisteredSchema: Sendable {
        public let text: String
        public let schemaType: String
        public let references: [SchemaReference]
    }

    /// The writer schema registered with `id`, with every reference resolved into one
    /// self-contained Avro schema text (cached).
    public func schema(id: Int) throws -> RegisteredSchema {
        lock.lock()
        if let cached = schemasById[id] { lock.unlock(); return cached }
        lock.unlock()
        let answer = try call("GET", "/schemas/ids/\(id)", body: nil, context: "fetching schema id \(id)")
        guard let text = answer["schema"]?.stringValue else { throw invalidAnswer("fetching schema id \(id)") }
        let type = answer["schemaType"]?.stringValue ?? "AVRO"
        let references = try SchemaReference.list(answer["references"], invalid: invalidAnswer("fetching schema id \(id)"))
        var resolved = RegisteredSchema(text: text, schemaType: type, references: references)
        if type == "AVRO", !references.isEmpty {
            resolved = RegisteredSchema(text: try resolveReferences(text: text, references: references, context: "schema id \(id)"),
                                        schemaType: type, references: references)
        }
        lock.lock()
        schemasById[id] = resolved
        lock.unlock()
        return resolved
    }

    /// A version of a subject ("latest" or a number): its id, version, schema text and references.
    public func version(subject: String, version: String = "latest") throws -> (id: Int, version: Int, schema: String, references: [SchemaReference]) {
        let answer = try call("GET", "/subjects/\(Self.escape(subject))/versions/\(version)", body: nil, context: "reading version \(version) of subject \(subject)")
        guard let id = answer["id"]?.int64Value, let number = answer["version"]?.int64Value, let text = answer["schema"]?.stringValue else {
            throw invalidAnswer("reading subject \(subject)")
        }
        return (Int(id), Int(number), text, try SchemaReference.list(answer["references"], invalid: invalidAnswer("reading subject \(subject)")))
    }

    /// Fetches every referenced subject version (and theirs, depth first) and inlines them.
    func resolveReferences(text: String, references: [SchemaReference], context: String) throws -> String {
        var definitions: [String: JSONValue] = [:]
        var visiting: Set<String> = []
        func fetch(_ refs: [SchemaReference]) throws {
            for ref in refs where definitions[ref.name] == nil {
                let key = "\(ref.subject)/\(ref.version)"
                guard visiting.insert(key).inserted else {
                    throw SchemaRegistryError(status: nil, errorCode: nil, message: "\(context) has a reference cycle through subject \(ref.subject) version \(ref.version)")
                }
                let found = try version(subject: ref.subject, version: String(ref.version))
                try fetch(found.references)
                guard let json = try? JSONValue.parse(found.schema) else {
                    throw invalidAnswer("reading subject \(ref.subject) version \(ref.version), referenced by \(context)")
                }
                definitions[ref.name] = json
            }
        }
        try fetch(references)
        guard let main = try? JSONValue.parse(text) else { throw invalidAnswer("fetching \(context)") }
        return AvroReferenceInliner(definitions: definitions).inline(main).encoded()
    }

    /// Whether `schema` is compatible with the subject under its compatibility level: the
    /// latest version, or every version when the level is *_TRANSITIVE (Confluent's
    /// all-versions check then applies the level itself). A subject that does not exist yet
    /// accepts anything (Confluent answers 200 compatible, Karapace 404 40401).
    public func checkCompatibility(subject: String, schema: String) throws -> CompatibilityAnswer {
        let level = (try? compatibilityLevel(subject: subject)) ?? nil
        let transitive = level?.hasSuffix("_TRANSITIVE") == true
        let path = "/compatibility/subjects/\(Self.escape(subject))/versions\(transitive ? "" : "/latest")?verbose=true"
        let body = JSONValue.object([("schema", .string(schema))])
        let context = "checking compatibility with subject \(subject)"
        do {
            let answer: JSONValue
            do { answer = try call("POST", path, body: body, context: context) } catch let error as SchemaRegistryError
                where transitive && error.status == 404 && error.errorCode != 40401 && error.errorCode != 40402 {
                // Karapace has no all-versions route; its check against the latest version
                // applies a *_TRANSITIVE level to every live version itself.
                answer = try call("POST", "/compatibility/subjects/\(Self.escape(subject))/versions/latest?verbose=true", body: body, context: context)
            }
            guard let compatible = answer["is_compatible"]?.boolValue else { throw invalidAnswer(context) }
            let messages = (answer["messages"]?.arrayValue ?? []).compactMap(\.stringValue)
            return CompatibilityAnswer(compatible: compatible, level: level, against: transitive ? "every version" : "the latest version",
                                       differences: CompatibilityMessages.describe(messages, newSchema: schema))
        } catch let error as SchemaRegistryError where error.errorCode == 40401 || error.errorCode == 40402 {
            // Confluent answers a new subject 200 compatible; Karapace 404 40402 "Version -1 not found.".
            return CompatibilityAnswer(compatible: true, level: level, against: "no version (a new subject)", differences: [])
        }
    }

    public struct CompatibilityAnswer: Sendable {
        public let compatible: Bool
        public let level: String?
        public let against: String
        /// One readable line per difference; never the whole old schema.
        public let differences: [String]
    }

    /// The subject's compatibility level, or the registry's default.
    public func compatibilityLevel(subject: String) throws -> String? {
        let answer = try call("GET", "/config/\(Self.escape(subject))?defaultToGlobal=true", body: nil, context: "reading the compatibility level of subject \(subject)")
        return answer["compatibilityLevel"]?.stringValue ?? answer["compatibility"]?.stringValue
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
        request.caBundlePath = caFile
        lock.lock()
        let earlier = gaveUp
        lock.unlock()
        if let earlier { throw earlier }
        let started = Clock.monotonicSeconds()
        let deadline = started + retryFor
        var attempt = 0
        while true {
            let why: String
            var serverDelay: Double?
            do {
                // The last attempt gets only what is left of the budget.
                request.timeout = max(0.1, min(timeout, deadline - Clock.monotonicSeconds()))
                request.connectTimeout = min(request.timeout, 5)
                let response = try HTTPClient.perform(request)
                let answer = (try? JSONValue.parse(bytes: response.body)) ?? .null
                if (200..<300).contains(response.status) { return answer }
                let code = answer["error_code"]?.int64Value.map(Int.init)
                let detail = answer["message"]?.stringValue ?? String(response.bodyText.prefix(200))
                guard Self.transientStatuses.contains(response.status) else {
                    throw SchemaRegistryError(status: response.status, errorCode: code, detail: detail,
                                              message: Self.explain(status: response.status, code: code, detail: detail, context: context, baseURL: baseURL))
                }
                why = "HTTP \(response.status)\(code.map { " error \($0)" } ?? ""): \(Self.oneLine(detail))"
                serverDelay = backoff.serverDelay(headers: Dictionary(response.headers, uniquingKeysWith: { _, last in last }),
                                                  now: Date().timeIntervalSince1970)
            } catch let error as HTTPTransportError {
                guard error.isTimeout || error.isConnectionRefused else {
                    throw SchemaRegistryError(status: nil, errorCode: nil,
                                              message: "Schema Registry at \(baseURL) is unreachable while \(context): \(error.reason); check schema_registry_url and that the registry is running")
                }
                why = error.isTimeout ? "no answer within \(JSONValue.format(request.timeout))s" : error.reason
            }
            let delay = serverDelay.map { min($0, backoff.maximumServerDelay) } ?? backoff.backoff(attempt: attempt, random: Double.random(in: 0..<1))
            attempt += 1
            if Clock.monotonicSeconds() + delay >= deadline {
                let tried = attempt == 1 ? "1 attempt" : "\(attempt) attempts"
                let error = SchemaRegistryError(status: nil, errorCode: nil,
                                                message: "Schema Registry at \(baseURL) stayed unavailable while \(context) (\(tried) in \(JSONValue.format((Clock.monotonicSeconds() - started).rounded()))s, last: \(why)); check schema_registry_url and that the registry is running")
                lock.lock()
                gaveUp = error
                lock.unlock()
                throw error
            }
            Thread.sleep(forTimeInterval: delay)
        }
    }

    static func oneLine(_ text: String) -> String {
        String(text.split(whereSeparator: \.isNewline).joined(separator: " ").prefix(200))
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
        case (409, _), (_, 40901?):
            let differences = CompatibilityMessages.describe([detail], newSchema: nil)
            let why = differences.isEmpty ? oneLine(detail) : differences.joined(separator: "; ")
            return "\(prefix): the schema is incompatible with the subject's registered versions (\(code ?? 409): \(why)); evolve it compatibly or change the subject's compatibility level"
        case (_, 42201?):
            return "\(prefix): invalid schema (42201: \(oneLine(detail))); fix schema_file"
        default:
            return "\(prefix): HTTP \(status)\(code.map { " error \($0)" } ?? ""): \(oneLine(detail))"
        }
    }
}

/// A named type a registered schema takes from another subject (Confluent's SchemaReference).
public struct SchemaReference: Sendable, Equatable {
    /// For Avro: the referenced type's full name.
    public let name: String
    public let subject: String
    public let version: Int

    static func list(_ value: JSONValue?, invalid: @autoclosure () -> Error) throws -> [SchemaReference] {
        guard let items = value?.arrayValue else { return [] }
        return try items.map { item in
            guard let name = item["name"]?.stringValue, let subject = item["subject"]?.stringValue,
                  let version = item["version"]?.int64Value else { throw invalid() }
            return SchemaReference(name: name, subject: subject, version: Int(version))
        }
    }
}
