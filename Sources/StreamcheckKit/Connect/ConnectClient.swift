import Curl
import Foundation
import TerraformIO

/// Credentials and TLS settings, only ever read from the environment.
public struct ConnectAuth: Sendable {
    public var basic: (user: String, password: String)?
    public var clientCertificate: (certPath: String, keyPath: String)?
    public var caFile: String?

    public init(basic: (user: String, password: String)? = nil, clientCertificate: (certPath: String, keyPath: String)? = nil, caFile: String? = nil) {
        self.basic = basic
        self.clientCertificate = clientCertificate
        self.caFile = caFile
    }

    public static let usernameVariable = "STREAMCHECK_CONNECT_USERNAME"
    public static let passwordVariable = "STREAMCHECK_CONNECT_PASSWORD"
    public static let clientCertVariable = "STREAMCHECK_CONNECT_CLIENT_CERT"
    public static let clientKeyVariable = "STREAMCHECK_CONNECT_CLIENT_KEY"
    public static let caFileVariable = "STREAMCHECK_CONNECT_CA_FILE"
    public static let cloudKeyVariable = "CONFLUENT_CLOUD_API_KEY"
    public static let cloudSecretVariable = "CONFLUENT_CLOUD_API_SECRET"

    /// Checks pairs are complete and files exist, naming the variable (never its value) when not.
    public static func fromEnvironment(_ env: [String: String], flavour: ConnectFlavour) throws -> ConnectAuth {
        func value(_ name: String) -> String? {
            guard let v = env[name], !v.isEmpty else { return nil }
            return v
        }
        var auth = ConnectAuth()
        switch flavour {
        case .confluentCloud:
            guard let key = value(cloudKeyVariable), let secret = value(cloudSecretVariable) else {
                throw StreamcheckError("the Confluent Cloud Connect API needs \(cloudKeyVariable) and \(cloudSecretVariable) set in the environment (a Cloud API key for the cluster's environment)")
            }
            auth.basic = (key, secret)
        case .selfManaged:
            switch (value(usernameVariable), value(passwordVariable)) {
            case let (user?, password?): auth.basic = (user, password)
            case (nil, nil): break
            case (nil, _): throw StreamcheckError("\(passwordVariable) is set but \(usernameVariable) is not: set both for basic auth, or neither")
            case (_, nil): throw StreamcheckError("\(usernameVariable) is set but \(passwordVariable) is not: set both for basic auth, or neither")
            }
        }
        // Client TLS applies to both flavours (a proxy in front of Cloud may want it too).
        switch (value(clientCertVariable), value(clientKeyVariable)) {
        case let (cert?, key?):
            for (variable, path) in [(clientCertVariable, cert), (clientKeyVariable, key)] where !FileManager.default.isReadableFile(atPath: path) {
                throw StreamcheckError("\(variable) names \(path), which is not a readable file")
            }
            auth.clientCertificate = (cert, key)
        case (nil, nil): break
        case (nil, _): throw StreamcheckError("\(clientKeyVariable) is set but \(clientCertVariable) is not: set both for client TLS, or neither")
        case (_, nil): throw StreamcheckError("\(clientCertVariable) is set but \(clientKeyVariable) is not: set both for client TLS, or neither")
        }
        if let ca = value(caFileVariable) {
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw StreamcheckError("\(caFileVariable) names \(ca), which is not a readable file")
            }
            auth.caFile = ca
        }
        return auth
    }
}

/// An HTTP answer from Connect that the caller interprets (2xx, 400, 401, 404, ...).
public struct ConnectReply: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let text: String
    /// The body parsed as JSON, when it is JSON.
    public var json: JSONValue? { try? JSONValue.parse(text) }

    public init(status: Int, headers: [String: String] = [:], text: String) {
        self.status = status
        self.headers = headers
        self.text = text
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// Connect's own words: {"error_code":404,"message":"..."} (self-managed),
    /// {"error":{"code":..,"message":..}} or {"errors":[{"detail":..}]} (Cloud), else the text.
    public var errorMessage: String {
        if let json {
            if let m = json["message"]?.stringValue { return m }
            if let m = json["error"]?["message"]?.stringValue { return m }
            if let errors = json["errors"]?.arrayValue, !errors.isEmpty {
                return errors.compactMap { $0["detail"]?.stringValue ?? $0["title"]?.stringValue }.joined(separator: "; ")
            }
        }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? "HTTP \(status) with an empty body" : String(trimmed.prefix(300))
    }

    /// The error message on one line and short: Connect's unknown-class answer lists every
    /// installed plugin after "available connectors are:", which helps nobody in a CI log.
    public var shortErrorMessage: String {
        // Connect's 400 for an invalid config lists one error per line: keep them, on one line.
        var message = errorMessage.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        if let cut = message.range(of: ", available connectors are:") { message = String(message[..<cut.lowerBound]) }
        return message.count > 600 ? String(message.prefix(600)) + "…" : message
    }

    /// Whether Jersey, not Connect, answered: the route does not exist on this worker (an older
    /// Connect), as opposed to a connector that does not exist ("Connector x not found").
    public var isUnknownRoute: Bool {
        status == 405 || (status == 404 && errorMessage == "HTTP 404 Not Found")
    }
}

extension ConnectClient {
    /// Whether an attempt that failed may still have been carried out by Connect: no answer in
    /// time, a proxy's 502-504, or the herder's own "Request timed out". A refused connection,
    /// a 429 and Connect's other 500s (the rebalance one included) were answers that nothing
    /// was done; a 409 means the herder refused the request during a rebalance.
    static func mayHaveBeenServed(_ outcome: AttemptOutcome) -> Bool {
        switch outcome {
        case .connectionRefused, .transportFailure: return false
        case .timedOut: return true
        case let .status(code, _, message):
            if code == 409 || code == 429 || code < 500 { return false }
            // Connect's own 500s are definite (a ConnectException: nothing was done), except
            // its "Request timed out": the herder may still carry the request out.
            if code == 500 { return message.isEmpty || message.localizedCaseInsensitiveContains("Request timed out") }
            return true  // 502-504: a proxy may have forwarded it
        }
    }
}

/// Talks to one Connect API. Every request retries what the `RetryPolicy` says is transient
/// until the caller's deadline; everything else comes back as a `ConnectReply` to interpret.
/// Transport, clock, sleep and randomness are injectable so unit tests run in virtual time.
public final class ConnectClient: Sendable {
    public typealias Transport = @Sendable (HTTPRequest) throws -> HTTPResponse

    /// Connect's own request timeout is 90 s (RestServer's DEFAULT_REST_REQUEST_TIMEOUT_MS),
    /// and PUT config runs the connector's validation, which may contact a database: a request
    /// gets a little longer than Connect itself takes before saying "Request timed out".
    public static let defaultRequestTimeout: Double = 95

    public let endpoints: ConnectEndpoints
    let auth: ConnectAuth
    let transport: Transport
    public let requestTimeout: Double
    let policy: RetryPolicy
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void
    let random: @Sendable () -> Double
    let log: @Sendable (String) -> Void

    public init(
        flavour: ConnectFlavour, auth: ConnectAuth, requestTimeout: Double = ConnectClient.defaultRequestTimeout, policy: RetryPolicy = RetryPolicy(),
        transport: @escaping Transport = { try HTTPClient.perform($0) },
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 },
        sleep: @escaping @Sendable (Double) -> Void = { if $0 > 0 { Thread.sleep(forTimeInterval: $0) } },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        log: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(("streamcheck: " + $0 + "\n").utf8)) }
    ) {
        self.endpoints = ConnectEndpoints(flavour)
        self.auth = auth
        self.transport = transport
        self.requestTimeout = requestTimeout
        self.policy = policy
        self.clock = clock
        self.sleep = sleep
        self.random = random
        self.log = log
    }

    public func now() -> Double { clock() }
    public func pause(_ seconds: Double) { sleep(seconds) }
    public func jitter() -> Double { random() }
    public func backoff(attempt: Int) -> Double { policy.backoff(attempt: attempt, random: random()) }

    /// Sends one call, retrying transient failures until `deadline` (seconds since 1970).
    /// Throws `StreamcheckError` when Connect cannot be reached or stays unavailable.
    public func send(_ call: ConnectCall, body: JSONValue? = nil, deadline: Double) throws -> ConnectReply {
        var attempt = 0
        let started = clock()
        while true {
            let remaining = deadline - clock()
            var request = HTTPRequest(method: call.method, url: call.url, timeout: min(requestTimeout, max(remaining, 0.5)),
                                      connectTimeout: min(5, max(remaining, 0.5)))
            request.headers = [("Accept", "application/json")]
            if let body {
                request.headers.append(("Content-Type", "application/json"))
                request.body = Array(body.encoded().utf8)
            }
            request.basicAuth = auth.basic
            if let cert = auth.clientCertificate { request.clientCertificate = (cert.certPath, cert.keyPath, nil) }
            request.caBundlePath = auth.caFile

            let outcome: AttemptOutcome
            let problem: String
            var reply: ConnectReply?
            do {
                let response = try transport(request)
                var headers: [String: String] = [:]
                for (k, v) in response.headers { headers[k] = v }
                let answer = ConnectReply(status: response.status, headers: headers, text: response.bodyText)
                if answer.isSuccess { return answer }
                reply = answer
                outcome = .status(answer.status, headers: headers, message: answer.errorMessage)
                problem = "HTTP \(answer.status): \(answer.shortErrorMessage)"
            } catch let error as HTTPTransportError {
                outcome = error.isConnectionRefused ? .connectionRefused : error.isTimeout ? .timedOut : .transportFailure
                problem = error.reason
            }
            let where_ = "\(call.method) \(HTTPClient.redact(call.url))"
            if !call.idempotent && Self.mayHaveBeenServed(outcome) {
                // Sending it again could act twice (a second restart, a second offsets request).
                throw StreamcheckError("Kafka Connect at \(where_) gave no definite answer (\(problem)); the request may still be applied, so it was not sent again: check the connector's status before retrying")
            }
            guard case let .retry(delay) = policy.decide(attempt: attempt, outcome: outcome, now: clock(), random: random()) else {
                // A definite answer (400, 401, 404, ...) is the caller's to interpret.
                if let reply { return reply }
                throw StreamcheckError("Kafka Connect at \(where_) could not be reached: \(problem); check connect_url and the network")
            }
            let left = deadline - clock()
            if left <= 0 {
                let waited = JSONValue.format((clock() - started).rounded())
                throw StreamcheckError("Kafka Connect at \(where_) still failing after \(waited)s and \(attempt + 1) attempts (last: \(problem)); check that Connect is up and reachable, or raise timeout")
            }
            log("connector: \(where_): \(problem); retrying in \(JSONValue.format((min(delay, left) * 1000).rounded() / 1000))s")
            sleep(min(delay, left))
            attempt += 1
        }
    }
}
