import CRdKafka

/// librdkafka properties, applied in order. Errors name the property, as kcat does.
public struct KafkaConfig: Sendable {
    public var properties: [(String, String)]

    public init(_ properties: [(String, String)] = []) { self.properties = properties }

    public mutating func set(_ key: String, _ value: String) {
        properties.removeAll { $0.0 == key }
        properties.append((key, value))
    }

    public func value(_ key: String) -> String? { properties.last(where: { $0.0 == key })?.1 }

    /// Properties whose values are secrets: never accepted from flags or queries.
    public static let secretProperties: [String: String] = [
        "sasl.password": "STREAMCHECK_KAFKA_SASL_PASSWORD",
        "ssl.key.password": "STREAMCHECK_KAFKA_SSL_KEY_PASSWORD",
        "ssl.keystore.password": "STREAMCHECK_KAFKA_SSL_KEYSTORE_PASSWORD",
        "sasl.oauthbearer.client.secret": "STREAMCHECK_KAFKA_OAUTHBEARER_CLIENT_SECRET",
        "ssl.key.pem": "STREAMCHECK_KAFKA_SSL_KEY_PEM",
        "sasl.oauthbearer.config": "STREAMCHECK_KAFKA_OAUTHBEARER_CONFIG",
    ]

    /// Builds a C conf object. The caller owns it until rd_kafka_new succeeds.
    func makeHandle() throws -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errbuf = [CChar](repeating: 0, count: 512)
        for (key, value) in properties {
            if rd_kafka_conf_set(conf, key, value, &errbuf, errbuf.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(cString: errbuf)
                // Never echo a value: it might be a secret.
                throw KafkaError("invalid Kafka property '\(key)': \(reason)")
            }
        }
        return conf
    }
}
