import Foundation
import Kafka
import TerraformIO

/// Builds librdkafka configuration from parameters and the environment. Secrets come only
/// from environment variables; a secret-bearing property in a flag or query is refused.
public enum KafkaSettings {
    public static let kafkaConfigSpec = ParameterSpec(
        "kafka_config", .keyValues,
        help: "librdkafka properties (-X key=value, repeatable; in a query a JSON-encoded object of strings). Secrets are refused here: use the STREAMCHECK_KAFKA_* environment variables.")
    public static let bootstrapSpec = ParameterSpec(
        "bootstrap_servers", .string, required: true, help: "Kafka bootstrap servers, host:port[,host:port].")

    /// Environment variables read for credentials, and the property each sets.
    public static let credentialVariables: [(variable: String, property: String)] = [
        ("STREAMCHECK_KAFKA_SASL_USERNAME", "sasl.username"),
        ("STREAMCHECK_KAFKA_SASL_PASSWORD", "sasl.password"),
        ("STREAMCHECK_KAFKA_SSL_KEY_PASSWORD", "ssl.key.password"),
        ("STREAMCHECK_KAFKA_SSL_KEYSTORE_PASSWORD", "ssl.keystore.password"),
        ("STREAMCHECK_KAFKA_OAUTHBEARER_CLIENT_SECRET", "sasl.oauthbearer.client.secret"),
        ("STREAMCHECK_KAFKA_SSL_KEY_PEM", "ssl.key.pem"),
        ("STREAMCHECK_KAFKA_OAUTHBEARER_CONFIG", "sasl.oauthbearer.config"),
    ]

    public static func config(_ p: Parameters, environment: [String: String]? = nil) throws -> KafkaConfig {
        let environment = try SecretEnvironment.current(environment ?? ProcessInfo.processInfo.environment)
        var config = KafkaConfig()
        config.set("bootstrap.servers", try p.requiredString("bootstrap_servers"))
        // Keep librdkafka from waiting minutes on an unreachable cluster: every wait is bounded.
        config.set("socket.connection.setup.timeout.ms", "10000")
        for (key, value) in try p.keyValues("kafka_config") {
            if let variable = KafkaConfig.secretProperties[key] {
                throw ParameterError("'\(p.name("kafka_config"))' must not carry the secret property '\(key)': set the environment variable \(variable) instead")
            }
            // Two answers to one question: refuse rather than let one silently win.
            if key == "bootstrap.servers" || key == "metadata.broker.list" {
                throw ParameterError("'\(p.name("kafka_config"))' sets \(key) and '\(p.name("bootstrap_servers"))' sets the brokers too: give them once, with '\(p.name("bootstrap_servers"))'")
            }
            config.set(key, value)
        }
        for (variable, property) in credentialVariables {
            if let value = environment[variable], !value.isEmpty { config.set(property, value) }
        }
        return config
    }
}

/// A run id: unique per produce, short enough for topic and group names.
public enum RunId {
    public static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let stamp = Int64(Date().timeIntervalSince1970)
        return "sc-\(String(stamp, radix: 36))-\(String(rng.next() % (36 * 36 * 36 * 36), radix: 36))"
    }

    public static func validate(_ id: String, name: String) throws {
        // ASCII only: the id goes into file names, topic names and headers.
        let ascii = id.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
        }
        guard !id.isEmpty, id.utf8.count <= 100, ascii, id != ".", id != ".." else {
            throw ParameterError("invalid value for '\(name)': use 1 to 100 letters, digits, '-', '_' or '.'")
        }
    }
}

public enum Clock {
    public static func nowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
