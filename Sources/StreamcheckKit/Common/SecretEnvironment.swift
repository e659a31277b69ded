import Foundation
import TerraformIO

/// The environment an operation reads its secrets from. Each secret variable NAME may instead
/// be given as NAME_FILE, the path of a file holding the value (Docker and Kubernetes secrets,
/// a Vault agent's rendered file): rotating the secret means rewriting the file, and the next
/// operation uses the new value with nothing else changed. The file is read every time an
/// operation asks (never cached across operations); one trailing newline is dropped.
/// Setting both NAME and NAME_FILE is refused: two answers to one question.
public enum SecretEnvironment {
    /// Every variable streamcheck reads a secret from.
    public static var secretVariables: [String] {
        KafkaSettings.credentialVariables.map(\.variable) + [
            SchemaRegistryClient.usernameVariable, SchemaRegistryClient.passwordVariable,
            ConnectAuth.usernameVariable, ConnectAuth.passwordVariable,
            ConnectAuth.cloudKeyVariable, ConnectAuth.cloudSecretVariable,
            PostgresSinkVerifier.urlVariable,
            Notifier.slackWebhookVariable, Notifier.smtpUserVariable, Notifier.smtpPasswordVariable,
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        ]
    }

    /// The process environment with every secret variable given as NAME_FILE read into NAME.
    public static func current(_ base: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: String] {
        var env = base
        for name in secretVariables { if let value = try fromFile(name, in: base) { env[name] = value } }
        return env
    }

    /// One variable, from NAME or NAME_FILE (for names a user chose, like `${env:NAME}`).
    public static func value(_ name: String, in env: [String: String]) throws -> String? {
        try fromFile(name, in: env) ?? env[name]
    }

    static func fromFile(_ name: String, in env: [String: String]) throws -> String? {
        guard let path = env[name + "_FILE"], !path.isEmpty else { return nil }
        if let direct = env[name], !direct.isEmpty {
            throw StreamcheckError("both \(name) and \(name)_FILE are set: give the secret one way")
        }
        // Never the path's content in a message; the path itself is not a secret.
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("\(name)_FILE names \(path), which cannot be read; check the path and its permissions")
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
