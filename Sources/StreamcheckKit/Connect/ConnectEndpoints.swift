import Foundation

/// Which Connect API streamcheck talks to. Both speak the same connector model (config map,
/// connector and task states); they differ in paths, verbs, auth and offsets handling.
public enum ConnectFlavour: Sendable, Equatable {
    /// Apache Kafka Connect's REST API on a self-managed worker, e.g. http://connect:8083.
    case selfManaged(baseURL: String)
    /// Confluent Cloud's Connect API, e.g. https://api.confluent.cloud, for one environment and cluster.
    case confluentCloud(baseURL: String, environment: String, cluster: String)

    public var name: String {
        switch self {
        case .selfManaged: return "self-managed"
        case .confluentCloud: return "confluent-cloud"
        }
    }

    public var isCloud: Bool { if case .confluentCloud = self { return true }; return false }
}

/// One HTTP call of the Connect API: the verb and the full URL, whether sending it twice is
/// harmless, and the oldest Apache Kafka Connect that has the route.
public struct ConnectCall: Sendable, Equatable {
    public let method: String
    public let url: String
    /// False for a call that acts each time it is served (a restart, a Cloud offsets request):
    /// one that may have been served (no answer in time, a 5xx) is not sent again.
    public let idempotent: Bool
    /// "3.5" for stop and GET offsets, "3.6" for altering and resetting offsets (KIP-875):
    /// an older worker answers those routes 404 "HTTP 404 Not Found" or 405.
    public let since: String?

    public init(_ method: String, _ url: String, idempotent: Bool = true, since: String? = nil) {
        self.method = method
        self.url = url
        self.idempotent = idempotent
        self.since = since
    }
}

/// Builds every URL streamcheck calls. Pure, so both flavours are unit-tested path by path.
public struct ConnectEndpoints: Sendable, Equatable {
    public let flavour: ConnectFlavour

    public init(_ flavour: ConnectFlavour) { self.flavour = flavour }

    static func trimmed(_ base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b
    }

    /// A path segment: connector names may hold spaces, slashes or '+'.
    public static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Where the API lives: the worker root, or the cloud cluster's root.
    var root: String {
        switch flavour {
        case let .selfManaged(base):
            return Self.trimmed(base)
        case let .confluentCloud(base, env, cluster):
            return Self.trimmed(base) + "/connect/v1/environments/\(Self.segment(env))/clusters/\(Self.segment(cluster))"
        }
    }

    public var listConnectors: ConnectCall { ConnectCall("GET", root + "/connectors") }
    public var createConnector: ConnectCall { ConnectCall("POST", root + "/connectors") }

    func connector(_ name: String) -> String { root + "/connectors/" + Self.segment(name) }

    public func info(_ name: String) -> ConnectCall { ConnectCall("GET", connector(name)) }
    public func config(_ name: String) -> ConnectCall { ConnectCall("GET", connector(name) + "/config") }
    /// Creates the connector when it does not exist, updates it otherwise (both flavours).
    public func putConfig(_ name: String) -> ConnectCall { ConnectCall("PUT", connector(name) + "/config") }
    public func status(_ name: String) -> ConnectCall { ConnectCall("GET", connector(name) + "/status") }
    public func tasks(_ name: String) -> ConnectCall { ConnectCall("GET", connector(name) + "/tasks") }
    public func delete(_ name: String) -> ConnectCall { ConnectCall("DELETE", connector(name)) }

    /// Self-managed: POST with KIP-745's includeTasks/onlyFailed. Cloud restarts the whole connector.
    public func restart(_ name: String, includeTasks: Bool, onlyFailed: Bool) -> ConnectCall {
        switch flavour {
        case .selfManaged:
            return ConnectCall("POST", connector(name) + "/restart?includeTasks=\(includeTasks)&onlyFailed=\(onlyFailed)", idempotent: false)
        case .confluentCloud:
            return ConnectCall("POST", connector(name) + "/restart", idempotent: false)
        }
    }

    public func pause(_ name: String) -> ConnectCall { ConnectCall("PUT", connector(name) + "/pause") }
    public func resume(_ name: String) -> ConnectCall { ConnectCall("PUT", connector(name) + "/resume") }
    /// KIP-875's STOPPED state; self-managed only (Connect 3.5+).
    public func stop(_ name: String) -> ConnectCall? {
        flavour.isCloud ? nil : ConnectCall("PUT", connector(name) + "/stop", since: "3.5")
    }

    public func offsets(_ name: String) -> ConnectCall {
        ConnectCall("GET", connector(name) + "/offsets", since: flavour.isCloud ? nil : "3.5")
    }
    /// Self-managed KIP-875: PATCH alters, DELETE resets; the connector must be STOPPED.
    public func alterOffsets(_ name: String) -> ConnectCall { ConnectCall("PATCH", connector(name) + "/offsets", since: "3.6") }
    public func resetOffsets(_ name: String) -> ConnectCall { ConnectCall("DELETE", connector(name) + "/offsets", since: "3.6") }
    /// Cloud: an asynchronous request {"type": "PATCH"|"DELETE", "offsets": [...]} and its status.
    public func offsetsRequest(_ name: String) -> ConnectCall { ConnectCall("POST", connector(name) + "/offsets/request", idempotent: false) }
    public func offsetsRequestStatus(_ name: String) -> ConnectCall { ConnectCall("GET", connector(name) + "/offsets/request/status") }

    public func validate(connectorClass: String) -> ConnectCall {
        ConnectCall("PUT", root + "/connector-plugins/" + Self.segment(connectorClass) + "/config/validate")
    }
}
