import Curl
import Foundation
import TerraformIO

/// The connector operations as plain functions over a `ConnectClient`. Each returns an
/// `OperationOutcome` (typed result + summary) or throws one actionable `StreamcheckError`.
/// Connector configs may hold secrets, so no result or message ever carries a config value.
public struct ConnectorService: Sendable {
    public let client: ConnectClient
    /// A fresh connector's status can 404 for a moment while Connect's status store catches up.
    public var notFoundGrace: Double = 5

    public init(client: ConnectClient) { self.client = client }

    var endpoints: ConnectEndpoints { client.endpoints }
    var place: String { "Kafka Connect at \(HTTPClient.redact(endpoints.root))" }

    /// Turns a definite non-success answer into one actionable line.
    func failure(_ reply: ConnectReply, name: String, doing: String, call: ConnectCall? = nil) -> StreamcheckError {
        if reply.isUnknownRoute, let call, let since = call.since {
            return StreamcheckError("\(place) has no \(call.method) \(Self.route(of: call)) (HTTP \(reply.status): \(reply.shortErrorMessage)) while \(doing) connector '\(name)': that needs Apache Kafka Connect \(since) or later; upgrade the workers, or do without it")
        }
        switch reply.status {
        case 401, 403:
            let vars = endpoints.flavour.isCloud
                ? "\(ConnectAuth.cloudKeyVariable) and \(ConnectAuth.cloudSecretVariable)"
                : "\(ConnectAuth.usernameVariable) and \(ConnectAuth.passwordVariable)"
            return StreamcheckError("\(place) refused the credentials (HTTP \(reply.status)) while \(doing) connector '\(name)': check \(vars)")
        case 404:
            return StreamcheckError("connector '\(name)' not found: \(place) answered HTTP 404 (\(reply.errorMessage)); check the name, or create it with `streamcheck connector apply`")
        default:
            return StreamcheckError("\(place) answered HTTP \(reply.status) while \(doing) connector '\(name)': \(reply.shortErrorMessage)")
        }
    }

    /// The route's path after the connector's name (for messages): "/stop", "/offsets".
    static func route(of call: ConnectCall) -> String {
        guard let range = call.url.range(of: "/connectors/") else { return call.url }
        let rest = call.url[range.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return "/connectors/{name}" }
        return "/connectors/{name}" + String(rest[slash...].prefix { $0 != "?" })
    }

    /// Connect's answer to a connector class no worker has installed (Plugins.java): 500, final.
    func unknownClassError(_ reply: ConnectReply, name: String, connectorClass: String) -> StreamcheckError? {
        guard reply.status == 500, reply.errorMessage.contains("Failed to find any class that implements Connector") else { return nil }
        return StreamcheckError("\(place) has no connector class '\(connectorClass)' (HTTP 500: \(reply.shortErrorMessage)) for connector '\(name)': install the plugin on every worker, or fix connector.class")
    }

    func milliseconds(since start: Double) -> Int64 { Int64(((client.now() - start) * 1000).rounded()) }

    // MARK: status

    public func fetchStatus(_ name: String, deadline: Double) throws -> ConnectorStatus? {
        let reply = try client.send(endpoints.status(name), deadline: deadline)
        if reply.status == 404 { return nil }
        guard reply.isSuccess else { throw failure(reply, name: name, doing: "reading the status of") }
        guard let json = reply.json else {
            throw StreamcheckError("\(place) answered the status of connector '\(name)' with something other than JSON; is connect_url a Kafka Connect REST endpoint?")
        }
        return try ConnectorStatus.parse(json, name: name)
    }

    public func status(_ name: String, timeout: Double) throws -> OperationOutcome {
        let deadline = client.now() + timeout
        guard let status = try fetchStatus(name, deadline: deadline) else {
            throw failure(ConnectReply(status: 404, text: "{\"message\":\"Connector \(name) not found\"}"), name: name, doing: "reading")
        }
        return OperationOutcome(result: status.json, summary: "connector \(name): \(status.state), \(status.tasksRunning)/\(status.tasks.count) tasks running")
    }

    // MARK: apply

    /// Creates the connector, or updates its config when it differs; validates first.
    /// `savePrevious`: before changing anything, keep what stood (or that nothing did) in that
    /// file for `rollback`; an unchanged apply leaves the file alone, so applying the same
    /// config twice does not lose the config before it.
    public func apply(_ name: String, config: [(String, String)], validate: Bool, timeout: Double,
                      savePrevious: String? = nil) throws -> OperationOutcome {
        let deadline = client.now() + timeout
        guard let connectorClass = config.first(where: { $0.0 == "connector.class" })?.1, !connectorClass.isEmpty else {
            throw StreamcheckError("the config of connector '\(name)' has no connector.class; add config connector.class=<class>")
        }
        if let configName = config.first(where: { $0.0 == "name" })?.1, configName != name {
            throw StreamcheckError("the config's name '\(configName)' differs from the connector name '\(name)'; drop name from config or make them equal")
        }
        var desired = config.filter { $0.0 != "name" }
        desired.append(("name", name))
        let body = JSONValue.object(desired.map { ($0.0, .string($0.1)) })

        var passwordKeys: Set<String> = []
        if validate {
            let reply = try client.send(endpoints.validate(connectorClass: connectorClass), body: body, deadline: deadline)
            guard reply.isSuccess else {
                if let error = unknownClassError(reply, name: name, connectorClass: connectorClass) { throw error }
                if reply.status == 400 || reply.status == 422 {
                    throw StreamcheckError("\(place) rejected the config of connector '\(name)' (HTTP \(reply.status)): \(reply.shortErrorMessage)")
                }
                throw failure(reply, name: name, doing: "validating the config of")
            }
            let errors = Self.validationErrors(reply.json)
            if !errors.isEmpty {
                let listed = errors.map { "\($0.key): \($0.messages.joined(separator: " / "))" }.joined(separator: "; ")
                let partial = JSONValue.object([
                    ("connector", .string(name)), ("action", .string("rejected")),
                    ("validation_errors", .array(errors.map { .object([("key", .string($0.key)), ("errors", .array($0.messages.map { .string($0) }))]) })),
                ])
                throw StreamcheckError("Connect's validation rejected the config of connector '\(name)' (\(errors.count) error\(errors.count == 1 ? "" : "s")): \(listed)", partialResult: partial)
            }
            passwordKeys = Self.passwordKeys(reply.json)
        }

        let current = try client.send(endpoints.config(name), deadline: deadline)
        var action = "created"
        var changed: [String] = desired.map(\.0).filter { $0 != "name" }
        var live: [(String, String)]?
        if current.isSuccess {
            let pairs = (current.json?.objectValue ?? []).compactMap { k, v in v.stringValue.map { (k, $0) } }
            live = pairs
            let existing = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
            changed = Self.changedKeys(desired: desired, current: existing, serverAdded: endpoints.flavour.isCloud ? Self.cloudServerKeys : [])
            if changed.isEmpty {
                return OperationOutcome(result: applyResult(name, connectorClass, action: "unchanged", changed: [], validated: validate),
                                        summary: "connector \(name) unchanged")
            }
            action = "updated"
        } else if current.status != 404 {
            throw failure(current, name: name, doing: "reading the config of")
        }

        if let savePrevious {
            let previous = PreviousConnectorConfig.keeping(name, live: live, passwordKeys: passwordKeys, savedAt: Date())
            try AtomicFile.write(previous.json.encodedPretty() + "\n", to: savePrevious)
        }
        let put = try client.send(endpoints.putConfig(name), body: body, deadline: deadline)
        guard put.isSuccess else {
            if let error = unknownClassError(put, name: name, connectorClass: connectorClass) { throw error }
            if put.status == 400 || put.status == 422 {
                throw StreamcheckError("\(place) rejected the config of connector '\(name)' (HTTP \(put.status)): \(put.shortErrorMessage)")
            }
            throw failure(put, name: name, doing: action == "created" ? "creating" : "updating")
        }
        let keys = changed.isEmpty ? "" : " (\(changed.joined(separator: ", ")))"
        return OperationOutcome(result: applyResult(name, connectorClass, action: action, changed: changed, validated: validate),
                                summary: "connector \(name) \(action)\(action == "updated" ? keys : "")")
    }

    func applyResult(_ name: String, _ connectorClass: String, action: String, changed: [String], validated: Bool) -> JSONValue {
        .object([
            ("connector", .string(name)),
            ("action", .string(action)),
            ("changed", .bool(action != "unchanged")),
            ("changed_keys", .string(changed.joined(separator: ","))),
            ("connector_class", .string(connectorClass)),
            ("validated", .bool(validated)),
        ])
    }

    /// Keys Confluent Cloud's GET config adds to every managed connector's config, though no
    /// user sent them; they are not the user's to remove.
    public static let cloudServerKeys: Set<String> = ["cloud.environment", "cloud.provider", "kafka.endpoint", "kafka.region"]

    /// Keys whose value differs, plus keys to remove. Connect echoes "name" in the config;
    /// Confluent Cloud masks secrets as "****": a masked value cannot be compared, so it counts
    /// as equal; keys the server adds itself (`serverAdded`) are not removals.
    /// A value Confluent Cloud masked ("****"): the real one cannot be seen, nor compared.
    public static func isMasked(_ value: String) -> Bool { !value.isEmpty && value.allSatisfy { $0 == "*" } }

    public static func changedKeys(desired: [(String, String)], current: [String: String], serverAdded: Set<String> = []) -> [String] {
        var changed: [String] = []
        let desiredKeys = Set(desired.map(\.0)).union(serverAdded)
        for (key, value) in desired where key != "name" {
            guard let now = current[key] else { changed.append(key); continue }
            if now != value && !isMasked(now) { changed.append(key) }
        }
        for key in current.keys.sorted() where key != "name" && !desiredKeys.contains(key) {
            changed.append(key)
        }
        return changed
    }

    /// ConfigInfos: {"error_count": n, "configs": [{"value": {"name": k, "errors": [..]}}]}.
    public static func validationErrors(_ json: JSONValue?) -> [(key: String, messages: [String])] {
        guard let json else { return [] }
        var found: [(key: String, messages: [String])] = []
        for entry in json["configs"]?.arrayValue ?? [] {
            let value = entry["value"]
            let messages = (value?["errors"]?.arrayValue ?? []).compactMap(\.stringValue).filter { !$0.isEmpty }
            if !messages.isEmpty { found.append((value?["name"]?.stringValue ?? "?", messages)) }
        }
        if found.isEmpty, let count = json["error_count"]?.int64Value, count > 0 {
            found.append(("config", ["Connect counted \(count) error(s) without naming them"]))
        }
        return found
    }

    // MARK: wait

    /// Waits until the connector reaches `target` (or FAILED, which ends the wait unless it
    /// is the target). Connect's status lags behind the requests that change it: right after a
    /// restart it can still show the old FAILED, after a config update the old RUNNING, and a
    /// fresh connector's status is 404 for a while. So a reading is trusted only when it is
    /// newer than what the wait first saw (the status changed during the wait: it went through
    /// 404, RESTARTING, UNASSIGNED or another state), or when it has held unchanged for
    /// `settle` seconds.
    public func wait(_ name: String, target: String, expectedTasks: Int?, settle: Double = ConnectorService.defaultSettle, timeout: Double) throws -> OperationOutcome {
        let started = client.now()
        let deadline = started + timeout
        var attempt = 0
        var polls = 0
        // A wait shorter than two settle windows still gets to trust a reading within it.
        let settle = min(settle, timeout / 2)
        var first: String?
        var heldSince: (signature: String, at: Double)?
        var changedDuringWait = false
        while true {
            polls += 1
            let status = try fetchStatus(name, deadline: deadline)
            let now = client.now()
            let signature = status?.signature ?? "absent"
            if first == nil { first = signature }
            if signature != heldSince?.signature { heldSince = (signature, now) }
            if signature != first { changedDuringWait = true }
            if let status {
                let settled = changedDuringWait || now - heldSince!.at >= settle
                let final = (status.isFailed && target != "FAILED") || status.hasReached(target, expectedTasks: expectedTasks)
                if final && settled {
                    return waitOutcome(status, target: target, expectedTasks: expectedTasks, started: started, polls: polls, timedOut: false)
                }
                if now >= deadline {
                    // An unsettled reading at the deadline is not trusted, whatever it says.
                    return waitOutcome(status, target: target, expectedTasks: expectedTasks, started: started, polls: polls, timedOut: true,
                                       unsettled: final)
                }
            } else if now - started >= max(notFoundGrace, settle) || now >= deadline {
                throw failure(ConnectReply(status: 404, text: "{\"message\":\"Connector \(name) not found\"}"), name: name, doing: "waiting on")
            }
            var pause = min(client.backoff(attempt: attempt), max(deadline - now, 0))
            // A final reading that is waiting out the settle window is checked again when it ends.
            if let status, let held = heldSince, now < held.at + settle,
               (status.isFailed && target != "FAILED") || status.hasReached(target, expectedTasks: expectedTasks) {
                pause = min(pause, max(0.05, held.at + settle - now))
            }
            client.pause(pause)
            attempt += 1
        }
    }

    /// How long an unchanged status must hold before `wait` trusts it (see `wait`).
    public static let defaultSettle: Double = 3

    func waitOutcome(_ status: ConnectorStatus, target: String, expectedTasks: Int?, started: Double, polls: Int, timedOut: Bool,
                     unsettled: Bool = false) -> OperationOutcome {
        let reached = status.hasReached(target, expectedTasks: expectedTasks) && !unsettled
        let expectedCount = expectedTasks.map(String.init) ?? (target == "STOPPED" ? "0" : "all (at least 1)")
        let checks = [
            // An unsettled reading proves nothing about the state (see `wait`).
            Check(name: .connector_state, passed: status.state == target && !unsettled, expected: target,
                  found: unsettled ? "\(status.state), not yet settled" : status.state),
            Check(name: .task_states, passed: status.tasksReached(target, expectedTasks: expectedTasks),
                  expected: "\(expectedCount) tasks \(target)",
                  found: status.tasks.isEmpty ? "no tasks" : status.tasks.map { "\($0.id)=\($0.state)" }.joined(separator: ",")),
        ]
        var members = status.json.objectValue ?? []
        members += [
            ("target_state", .string(target)),
            ("expected_tasks", expectedTasks.map { .int($0) } ?? .null),
            ("waited_ms", .int(milliseconds(since: started))),
            ("polls", .int(polls)),
            ("timed_out", .bool(timedOut)),
            ("passed", .bool(reached)),
            ("checks", .array(checks.map(\.json))),
            ("failed_checks", .string(checks.filter { !$0.passed }.map(\.name).joined(separator: ","))),
        ]
        let waited = JSONValue.format(Double(milliseconds(since: started)) / 1000)
        let summary: String
        if unsettled {
            summary = "connector \(status.name) showed \(status.state) only for the last part of the wait when the timeout came after \(waited)s: too short to tell from a status left over from before a change; raise timeout, or lower settle"
        } else if reached {
            summary = "connector \(status.name) \(target) with \(status.tasks.count) task\(status.tasks.count == 1 ? "" : "s") after \(waited)s"
        } else if status.isFailed {
            let firstLine = status.firstTrace.split(separator: "\n").first.map(String.init) ?? "no trace given"
            let which = status.state == "FAILED" ? "connector" : "task \(status.failedTasks.map { String($0.id) }.joined(separator: ","))"
            summary = "connector \(status.name) FAILED (\(which)) after \(waited)s: \(firstLine)"
        } else {
            summary = "connector \(status.name) did not reach \(target) within \(waited)s: connector \(status.state), \(status.tasksRunning)/\(status.tasks.count) tasks running"
        }
        return OperationOutcome(result: .object(members), passed: reached, summary: summary)
    }

    // MARK: lifecycle

    public func restart(_ name: String, includeTasks: Bool, onlyFailed: Bool, timeout: Double) throws -> OperationOutcome {
        let reply = try client.send(endpoints.restart(name, includeTasks: includeTasks, onlyFailed: onlyFailed), deadline: client.now() + timeout)
        guard reply.isSuccess else { throw failure(reply, name: name, doing: "restarting") }
        // 202 carries the status with the instances being restarted; 204 means only the connector restarted.
        let state = reply.json.flatMap { try? ConnectorStatus.parse($0, name: name) }
        let result = JSONValue.object([
            ("connector", .string(name)),
            ("restarted", .bool(true)),
            ("include_tasks", .bool(includeTasks)),
            ("only_failed", .bool(onlyFailed)),
            ("state", .string(state?.state ?? "")),
            ("tasks_restarting", .int(state?.tasks.filter { $0.state == "RESTARTING" }.count ?? 0)),
        ])
        return OperationOutcome(result: result, summary: "connector \(name) restart requested (include_tasks=\(includeTasks), only_failed=\(onlyFailed))")
    }

    /// pause, resume (202) or stop (204): Connect moves the connector asynchronously;
    /// `connector wait --target-state` confirms the state.
    public func changeState(_ name: String, action: String, timeout: Double) throws -> OperationOutcome {
        let call: ConnectCall
        let requested: String
        switch action {
        case "pause": call = endpoints.pause(name); requested = "PAUSED"
        case "resume": call = endpoints.resume(name); requested = "RUNNING"
        default:
            guard let stop = endpoints.stop(name) else {
                throw StreamcheckError("stop is not offered by the Confluent Cloud Connect API; use `streamcheck connector pause` instead")
            }
            call = stop; requested = "STOPPED"
        }
        let reply = try client.send(call, deadline: client.now() + timeout)
        guard reply.isSuccess else { throw failure(reply, name: name, doing: ["pause": "pausing", "resume": "resuming"][action] ?? "stopping", call: call) }
        let result = JSONValue.object([("connector", .string(name)), ("action", .string(action)), ("requested_state", .string(requested))])
        return OperationOutcome(result: result, summary: "connector \(name): \(action) requested (target \(requested); confirm with connector wait --target-state \(requested))")
    }

    /// Deletes the connector and waits until Connect no longer knows it. Deleting an absent
    /// connector succeeds (Terraform destroy must be repeatable).
    public func delete(_ name: String, timeout: Double) throws -> OperationOutcome {
        let started = client.now()
        let deadline = started + timeout
        let reply = try client.send(endpoints.delete(name), deadline: deadline)
        let alreadyAbsent = reply.status == 404
        guard reply.isSuccess || alreadyAbsent else { throw failure(reply, name: name, doing: "deleting") }
        var attempt = 0
        while !alreadyAbsent {
            guard try fetchStatus(name, deadline: deadline) != nil else { break }
            let left = deadline - client.now()
            if left <= 0 {
                throw StreamcheckError("connector '\(name)' still listed at \(place) \(JSONValue.format(timeout))s after DELETE; check the Connect worker logs, or raise timeout")
            }
            client.pause(min(client.backoff(attempt: attempt), left))
            attempt += 1
        }
        let result = JSONValue.object([
            ("connector", .string(name)),
            ("deleted", .bool(!alreadyAbsent)),
            ("already_absent", .bool(alreadyAbsent)),
            ("waited_ms", .int(milliseconds(since: started))),
        ])
        return OperationOutcome(result: result, summary: alreadyAbsent ? "connector \(name) was already absent" : "connector \(name) deleted")
    }

    // MARK: offsets

    public func offsets(_ name: String, action: String, offsets: JSONValue?, timeout: Double) throws -> OperationOutcome {
        let started = client.now()
        let deadline = started + timeout
        if action == "get" {
            let reply = try client.send(endpoints.offsets(name), deadline: deadline)
            guard reply.isSuccess else { throw failure(reply, name: name, doing: "reading the offsets of", call: endpoints.offsets(name)) }
            let list = reply.json?["offsets"]?.arrayValue ?? []
            let result = JSONValue.object([("connector", .string(name)), ("action", .string("get")),
                                           ("offsets_count", .int(list.count)), ("offsets", .array(list))])
            return OperationOutcome(result: result, summary: "connector \(name): \(list.count) offset\(list.count == 1 ? "" : "s")")
        }
        if action == "alter", offsets == nil {
            throw StreamcheckError("offsets alter needs offsets: a JSON array of {\"partition\": {...}, \"offset\": {...}} (or offsets_file)")
        }
        let message: String
        if endpoints.flavour.isCloud {
            message = try cloudOffsetsRequest(name, type: action == "reset" ? "DELETE" : "PATCH", offsets: offsets, deadline: deadline)
        } else {
            // KIP-875: Connect alters or resets offsets only while the connector is STOPPED.
            guard let status = try fetchStatus(name, deadline: deadline) else {
                throw failure(ConnectReply(status: 404, text: "{\"message\":\"Connector \(name) not found\"}"), name: name, doing: "changing the offsets of")
            }
            guard status.state == "STOPPED" else {
                throw StreamcheckError("connector '\(name)' is \(status.state); Kafka Connect changes offsets only while it is STOPPED: run `streamcheck connector stop` and `connector wait --target-state STOPPED` first")
            }
            let call = action == "reset" ? endpoints.resetOffsets(name) : endpoints.alterOffsets(name)
            let body: JSONValue? = action == "reset" ? nil : .object([("offsets", offsets!)])
            let reply = try client.send(call, body: body, deadline: deadline)
            guard reply.isSuccess else { throw failure(reply, name: name, doing: "changing the offsets of", call: call) }
            message = reply.json?["message"]?.stringValue ?? "offsets \(action == "reset" ? "reset" : "altered")"
        }
        let result = JSONValue.object([("connector", .string(name)), ("action", .string(action)), ("message", .string(message)),
                                       ("waited_ms", .int(milliseconds(since: started)))])
        return OperationOutcome(result: result, summary: "connector \(name): \(message)")
    }

    /// Confluent Cloud takes an offsets change as a request and applies it asynchronously:
    /// POST .../offsets/request, then poll .../offsets/request/status until APPLIED or FAILED.
    func cloudOffsetsRequest(_ name: String, type: String, offsets: JSONValue?, deadline: Double) throws -> String {
        var body: [(String, JSONValue)] = [("type", .string(type))]
        if let offsets { body.append(("offsets", offsets)) }
        let reply = try client.send(endpoints.offsetsRequest(name), body: .object(body), deadline: deadline)
        guard reply.isSuccess else { throw failure(reply, name: name, doing: "requesting an offsets change for") }
        var attempt = 0
        while true {
            let status = try client.send(endpoints.offsetsRequestStatus(name), deadline: deadline)
            guard status.isSuccess else { throw failure(status, name: name, doing: "reading the offsets request status of") }
            let phase = status.json?["status"]?["phase"]?.stringValue ?? "PENDING"
            let detail = status.json?["status"]?["message"]?.stringValue ?? ""
            switch phase {
            case "APPLIED": return detail.isEmpty ? "offsets \(type == "DELETE" ? "reset" : "altered") (APPLIED)" : detail
            case "FAILED": throw StreamcheckError("Confluent Cloud could not change the offsets of connector '\(name)': \(detail.isEmpty ? "phase FAILED" : detail)")
            default: break
            }
            let left = deadline - client.now()
            if left <= 0 {
                throw StreamcheckError("the offsets request for connector '\(name)' is still \(phase) at the timeout; check it later with `confluent connect offset status describe`, or raise timeout")
            }
            client.pause(min(client.backoff(attempt: attempt), left))
            attempt += 1
        }
    }
}
