import CRdKafka

public enum KafkaLibrary {
    /// The librdkafka version this process runs with, e.g. "2.0.2".
    public static var version: String { String(cString: rd_kafka_version_str()) }
}
