import Curl
import Foundation
import TerraformIO

extension Operations {
    public static let notifyOperations: [OperationDefinition] = [notify]

    public static let notify = OperationDefinition(
        words: ["notify"],
        summary: "Tell people how a run went: Slack incoming webhook and/or e-mail over SMTP. The exit code stays the run's.",
        parameters: [
            ParameterSpec("run_dir", .directory, required: true, help: "The run directory the operations recorded into."),
            ParameterSpec("slack", .boolean, help: "Post to the Slack incoming webhook in $\(Notifier.slackWebhookVariable)."),
            ParameterSpec("email", .boolean, help: "Send an e-mail (needs --to, --from, --smtp-url)."),
            ParameterSpec("on", .choice(["always", "failure", "success"]), help: "When to notify (default: always)."),
            ParameterSpec("pipeline_url", .url, help: "Link to the pipeline (default: $CI_PIPELINE_URL)."),
            ParameterSpec("to", .list, help: "E-mail recipients, comma-separated or the flag repeated."),
            ParameterSpec("from", .string, help: "E-mail sender address."),
            ParameterSpec("smtp_url", .url, help: "SMTP server, smtp://host:port or smtps://host:port; credentials come from $\(Notifier.smtpUserVariable) and $\(Notifier.smtpPasswordVariable), never from the URL."),
            ParameterSpec("smtp_starttls", .boolean, help: "Require STARTTLS on smtp:// (refuse to send in clear)."),
            ParameterSpec("subject_prefix", .string, help: "Text put before the e-mail subject, e.g. [payments-pipeline]."),
            ParameterSpec("suite_name", .string, help: "Title of the run in messages (default: streamcheck)."),
            ParameterSpec("merge_junit", .list, help: "JUnit files to count in, as for report (e.g. terraform test -junit-xml=FILE)."),
            ParameterSpec("retries", .integer(0...10), help: "Further attempts after a failed delivery, with backoff from 0.5s doubling to at most 8s (default: 3)."),
            ParameterSpec("timeout", .duration(1...300), help: "Bound on each delivery attempt (default: 15s)."),
        ]
    ) { parameters in
        try Notifier.run(parameters)
    }
}

enum Notifier {
    static let slackWebhookVariable = "STREAMCHECK_SLACK_WEBHOOK_URL"
    static let smtpUserVariable = "STREAMCHECK_SMTP_USERNAME"
    static let smtpPasswordVariable = "STREAMCHECK_SMTP_PASSWORD"

    struct Delivery {
        var channel: String
        var status: String  // sent, failed, skipped
        var attempts = 0
        var detail: String?
        var extra: [(String, JSONValue)] = []

        var json: JSONValue {
            .object([("channel", .string(channel)), ("status", .string(status)), ("attempts", .int(attempts)),
                     ("detail", detail.map { .string($0) } ?? .null)] + extra)
        }
    }

    static func run(_ parameters: Parameters) throws -> OperationOutcome {
        let env = try SecretEnvironment.current()
        let wantSlack = try parameters.bool("slack") ?? false
        let wantEmail = try parameters.bool("email") ?? false
        guard wantSlack || wantEmail else {
            throw StreamcheckError("nothing to send: give --slack and/or --email")
        }
        // Usage problems are found before anything is sent; they are bad input (exit 1).
        var emailSettings: EmailSettings?
        if wantEmail { emailSettings = try EmailSettings(parameters, env: env) }

        let runDir = try parameters.requiredString("run_dir")
        let records = try RunDirectory.load(runDir)
        let merged = try parameters.list("merge_junit").map { try MergedJUnit.read(path: $0) }
        let report = Report(title: parameters.string("suite_name") ?? "streamcheck", runDir: runDir, records: records, merged: merged)
        let pipelineURL = parameters.string("pipeline_url") ?? nonEmpty(env["CI_PIPELINE_URL"])
        let on = parameters.string("on") ?? "always"
        let retries = try parameters.int("retries") ?? 3
        let timeout = try parameters.duration("timeout") ?? 15

        let due = on == "always" || (on == "failure" && !report.passed) || (on == "success" && report.passed)
        var deliveries: [Delivery] = []
        if wantSlack {
            deliveries.append(due ? sendSlack(report, pipelineURL: pipelineURL, webhook: nonEmpty(env[slackWebhookVariable]), retries: retries, timeout: timeout)
                                  : Delivery(channel: "slack", status: "skipped", detail: "--on \(on) and the run \(report.status)"))
        }
        if let settings = emailSettings {
            deliveries.append(due ? sendEmail(report, pipelineURL: pipelineURL, settings: settings, retries: retries, timeout: timeout)
                                  : Delivery(channel: "email", status: "skipped", detail: "--on \(on) and the run \(report.status)"))
        }

        let t = report.totals
        var lines = ["notify: run \(report.status.uppercased()) (\(NotificationMessages.counts(report)))"]
        for d in deliveries {
            switch d.status {
            case "sent": lines.append("  \(d.channel): sent" + (d.attempts > 1 ? " after \(d.attempts) attempts" : ""))
            case "skipped": lines.append("  \(d.channel): not sent (\(d.detail ?? ""))")
            default: lines.append("streamcheck: warning: \(d.channel) notification NOT delivered: \(d.detail ?? "unknown reason")")
            }
        }
        let result = JSONValue.object([
            ("run_passed", .bool(report.passed)),
            ("run_status", .string(report.status)),
            ("tests", .int(t.tests)), ("failures", .int(t.failures)), ("errors", .int(t.errors)),
            ("on", .string(on)),
            ("delivered", .bool(deliveries.allSatisfy { $0.status != "failed" })),
            ("notifications", .array(deliveries.map(\.json))),
        ])
        // The exit code is the run's: a lost notification must not turn a red run green or a green one red.
        return OperationOutcome(result: result, passed: report.passed, summary: lines.joined(separator: "\n"))
    }

    // MARK: Slack

    static func sendSlack(_ report: Report, pipelineURL: String?, webhook: String?, retries: Int, timeout: Double) -> Delivery {
        var delivery = Delivery(channel: "slack", status: "failed")
        guard let webhook else {
            delivery.detail = "$\(slackWebhookVariable) is not set; add the webhook URL as a masked CI variable"
            return delivery
        }
        guard NotificationMessages.isWebURL(webhook) else {
            delivery.detail = "$\(slackWebhookVariable) is not an http(s) URL"
            return delivery
        }
        let body = Array(NotificationMessages.slackPayload(report, pipelineURL: pipelineURL).encoded().utf8)
        var request = HTTPRequest(method: "POST", url: webhook, headers: [("Content-Type", "application/json; charset=utf-8")], body: body,
                                  timeout: timeout, connectTimeout: min(timeout, 10))
        request.timeout = timeout
        let outcome = Retry.run(retries: retries) { () -> Retry.Attempt in
            do {
                let response = try HTTPClient.perform(request)
                if (200..<300).contains(response.status) { return .done }
                // The webhook's answer may quote the request; never let the URL through.
                let answer = redact(String(response.bodyText.prefix(200)), secrets: [webhook]).trimmingCharacters(in: .whitespacesAndNewlines)
                let reason = "the webhook answered HTTP \(response.status)" + (answer.isEmpty ? "" : ": \(answer)")
                return response.status == 429 || response.status >= 500 ? .retry(reason) : .fail(reason)
            } catch let error as HTTPTransportError {
                // `reason` is curl's message alone; the description would carry the (secret) URL.
                return .retry(redact(error.reason, secrets: [webhook]))
            } catch {
                return .retry("the request failed")
            }
        }
        delivery.attempts = outcome.attempts
        if let failure = outcome.failure {
            delivery.detail = "\(failure) (webhook from $\(slackWebhookVariable), \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s"))"
        } else {
            delivery.status = "sent"
        }
        return delivery
    }

    // MARK: E-mail

    struct EmailSettings {
        let to: [String]
        let from: String
        let smtpURL: String
        let startTLS: Bool
        let subjectPrefix: String?
        let credentials: (user: String, password: String)?

        init(_ parameters: Parameters, env: [String: String]) throws {
            to = parameters.list("to").flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
            guard !to.isEmpty else { throw StreamcheckError("--email needs recipients: --to a@example.com,b@example.com") }
            for address in to where !NotificationMessages.isPlainAddress(address) {
                throw StreamcheckError("invalid address '\(address)' in --to: expected name@domain with no spaces or brackets")
            }
            guard let from = parameters.string("from") else { throw StreamcheckError("--email needs a sender: --from streamcheck@example.com") }
            guard NotificationMessages.isPlainAddress(from) else {
                throw StreamcheckError("invalid address '\(from)' in --from: expected name@domain with no spaces or brackets")
            }
            self.from = from
            guard let url = parameters.string("smtp_url") else { throw StreamcheckError("--email needs a server: --smtp-url smtp://host:port") }
            let lower = url.lowercased()
            guard lower.hasPrefix("smtp://") || lower.hasPrefix("smtps://") else {
                throw StreamcheckError("--smtp-url must start with smtp:// or smtps://, got '\(HTTPClient.redact(url))'")
            }
            if HTTPClient.redact(url) != url {
                throw StreamcheckError("--smtp-url must not carry credentials; set $\(Notifier.smtpUserVariable) and $\(Notifier.smtpPasswordVariable) (masked CI variables) instead")
            }
            smtpURL = url
            startTLS = try parameters.bool("smtp_starttls") ?? false
            subjectPrefix = parameters.string("subject_prefix")
            let user = nonEmpty(env[Notifier.smtpUserVariable])
            let password = env[Notifier.smtpPasswordVariable] ?? ""
            if user == nil, !password.isEmpty {
                throw StreamcheckError("$\(Notifier.smtpPasswordVariable) is set but $\(Notifier.smtpUserVariable) is not; set both or neither")
            }
            credentials = user.map { ($0, password) }
        }
    }

    static func sendEmail(_ report: Report, pipelineURL: String?, settings: EmailSettings, retries: Int, timeout: Double) -> Delivery {
        var delivery = Delivery(channel: "email", status: "failed")
        delivery.extra = [("recipients", .array(settings.to.map { .string($0) })), ("smtp_url", .string(settings.smtpURL))]
        let payload = NotificationMessages.emailMessage(
            from: settings.from, to: settings.to,
            subject: NotificationMessages.emailSubject(report, prefix: settings.subjectPrefix),
            body: NotificationMessages.emailBody(report, pipelineURL: pipelineURL),
            messageID: "\(UUID().uuidString.lowercased())@streamcheck")
        var message = SMTPMessage(url: settings.smtpURL, from: settings.from, recipients: settings.to, payload: payload)
        message.requireTLS = settings.startTLS
        message.credentials = settings.credentials
        message.timeout = timeout
        message.connectTimeout = min(timeout, 10)
        let secrets = [settings.credentials?.password].compactMap { $0 }.filter { !$0.isEmpty }
        let outcome = Retry.run(retries: retries) { () -> Retry.Attempt in
            do {
                try SMTPClient.send(message)
                return .done
            } catch let error as SMTPError {
                let reason = redact(error.reason, secrets: secrets)
                return error.isTransient ? .retry(reason) : .fail(reason)
            } catch {
                return .retry("the transfer failed")
            }
        }
        delivery.attempts = outcome.attempts
        if let failure = outcome.failure {
            delivery.detail = "\(failure) (\(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s"))"
        } else {
            delivery.status = "sent"
        }
        return delivery
    }

    static func redact(_ text: String, secrets: [String]) -> String {
        secrets.filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}

/// Bounded retries with exponential backoff: 0.5 s, 1 s, 2 s, 4 s, then 8 s between attempts.
enum Retry {
    enum Attempt {
        case done
        case retry(String)  // worth another try
        case fail(String)   // will not get better by trying again
    }

    struct Outcome {
        let attempts: Int
        let failure: String?
    }

    static func delay(afterAttempt n: Int) -> Double { min(0.5 * pow(2, Double(n - 1)), 8) }

    static func run(retries: Int, sleep: (Double) -> Void = { Thread.sleep(forTimeInterval: $0) }, _ body: () -> Attempt) -> Outcome {
        var attempt = 0
        while true {
            attempt += 1
            switch body() {
            case .done: return Outcome(attempts: attempt, failure: nil)
            case let .fail(reason): return Outcome(attempts: attempt, failure: reason)
            case let .retry(reason):
                if attempt > retries { return Outcome(attempts: attempt, failure: reason) }
                sleep(delay(afterAttempt: attempt))
            }
        }
    }
}
