/// A consumed message, copied out of librdkafka's buffers.
public struct KafkaMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    public let headers: [(String, [UInt8])]
    /// Milliseconds since the epoch; -1 when the broker sent none.
    public let timestampMs: Int64
    public let timestampIsLogAppendTime: Bool

    public func header(_ name: String) -> [UInt8]? {
        headers.last(where: { $0.0 == name })?.1
    }
}

/// Where a delivery report says a message went, or why it did not.
public struct DeliveryReport: Sendable {
    public let token: Int
    public let partition: Int32
    public let offset: Int64
    public let error: KafkaError?
}

/// librdkafka's logical offsets, for starting a partition somewhere other than an absolute offset.
public enum KafkaOffset {
    public static let beginning: Int64 = -2
    public static let end: Int64 = -1
}
