import Foundation

/// A consumed message, copied out of librdkafka's buffers: the value, and every header packed
/// into one buffer (two allocations a message, not two per header).
public struct KafkaMessage: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let key: [UInt8]?
    public let value: [UInt8]
    /// Milliseconds since the epoch; -1 when the broker sent none.
    public let timestampMs: Int64
    public let timestampIsLogAppendTime: Bool
    /// Header names and values back to back; `headerSpans` says where each is, in order.
    let headerBytes: [UInt8]
    let headerSpans: [HeaderSpan]

    struct HeaderSpan: Sendable {
        var nameStart: Int32, nameCount: Int32, valueStart: Int32, valueCount: Int32
    }

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
                headers: [(String, [UInt8])], timestampMs: Int64, timestampIsLogAppendTime: Bool) {
        var bytes: [UInt8] = []
        var spans: [HeaderSpan] = []
        for (name, headerValue) in headers {
            let nameStart = bytes.count
            bytes += name.utf8
            let valueStart = bytes.count
            bytes += headerValue
            spans.append(HeaderSpan(nameStart: Int32(nameStart), nameCount: Int32(valueStart - nameStart),
                                    valueStart: Int32(valueStart), valueCount: Int32(headerValue.count)))
        }
        self.init(topic: topic, partition: partition, offset: offset, key: key, value: value, headerBytes: bytes,
                  headerSpans: spans, timestampMs: timestampMs, timestampIsLogAppendTime: timestampIsLogAppendTime)
    }

    init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8], headerBytes: [UInt8],
         headerSpans: [HeaderSpan], timestampMs: Int64, timestampIsLogAppendTime: Bool) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headerBytes = headerBytes
        self.headerSpans = headerSpans
        self.timestampMs = timestampMs
        self.timestampIsLogAppendTime = timestampIsLogAppendTime
    }

    public var headers: [(String, [UInt8])] {
        headerSpans.map { span in
            (String(decoding: headerBytes[Int(span.nameStart)..<Int(span.nameStart + span.nameCount)], as: UTF8.self),
             Array(headerBytes[Int(span.valueStart)..<Int(span.valueStart + span.valueCount)]))
        }
    }

    /// The last header of that name (Kafka allows repeats), without allocating.
    public func header(_ name: String) -> ArraySlice<UInt8>? {
        var name = name
        return name.withUTF8 { wanted -> ArraySlice<UInt8>? in
            headerBytes.withUnsafeBufferPointer { bytes -> ArraySlice<UInt8>? in
                for span in headerSpans.reversed() where Int(span.nameCount) == wanted.count {
                    if wanted.isEmpty || memcmp(bytes.baseAddress! + Int(span.nameStart), wanted.baseAddress!, wanted.count) == 0 {
                        return headerBytes[Int(span.valueStart)..<Int(span.valueStart + span.valueCount)]
                    }
                }
                return nil
            }
        }
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

/// What the verifier reads of a consumed message, whether copied out (`KafkaMessage`) or still
/// in librdkafka's buffer (`BorrowedMessage`).
public protocol ReceivedMessage {
    var topic: String { get }
    var partition: Int32 { get }
    var offset: Int64 { get }
    /// Milliseconds since the epoch; -1 when the broker sent none.
    var timestampMs: Int64 { get }
    var timestampIsLogAppendTime: Bool { get }
    func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
    /// The last header of that name, for the duration of `body` only.
    func withHeader<R>(_ name: String, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R
}

extension KafkaMessage: ReceivedMessage {
    public func withValue<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try value.withUnsafeBytes(body)
    }

    public func withHeader<R>(_ name: String, _ body: (UnsafeRawBufferPointer?) throws -> R) rethrows -> R {
        guard let slice = header(name) else { return try body(nil) }
        return try slice.withUnsafeBytes(body)
    }
}
