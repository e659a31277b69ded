import CRdKafka

/// A librdkafka failure. Keeps the original code so callers can tell retriable from fatal.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String

    init(code: rd_kafka_resp_err_t, context: String) {
        self.code = code.rawValue
        self.message = "\(context): \(String(cString: rd_kafka_err2str(code)))"
    }

    public init(_ message: String) {
        self.code = -1
        self.message = message
    }

    public var description: String { message }

    public var isTimeout: Bool {
        code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue || code == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue
    }
}
