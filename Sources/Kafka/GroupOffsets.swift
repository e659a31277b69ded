import CRdKafka
import Foundation

/// Reads a consumer group's committed offsets and the partitions' watermarks without joining
/// the group (OffsetFetch and ListOffsets only), so it never triggers a rebalance of the
/// group's members. Owns one consumer handle that never subscribes.
public final class GroupOffsetReader: @unchecked Sendable {
    private let consumer: KafkaConsumer

    public struct PartitionOffsets: Sendable, Equatable {
        public let partition: Int32
        /// nil when the group has committed nothing for the partition.
        public let committed: Int64?
        public let low: Int64
        public let high: Int64

        public init(partition: Int32, committed: Int64?, low: Int64, high: Int64) {
            self.partition = partition
            self.committed = committed
            self.low = low
            self.high = high
        }

        /// Messages the group has still to read: from its committed offset (or the oldest
        /// retained message when it has none, or when retention moved past it) to the high watermark.
        public var lag: Int64 { max(0, high - max(committed ?? low, low)) }
    }

    public init(config: KafkaConfig, groupId: String) throws {
        var config = config
        config.set("group.id", groupId)
        // Reading offsets must never move them.
        config.set("enable.auto.commit", "false")
        consumer = try KafkaConsumer(config: config)
    }

    public var lastError: String? { consumer.lastError }

    public func offsets(topic: String, timeout: Double) throws -> [PartitionOffsets] {
        let deadline = Date().addingTimeInterval(timeout)
        func remaining() -> Double { max(0.5, deadline.timeIntervalSinceNow) }
        let count = try consumer.partitionCount(topic: topic, timeout: remaining())
        let partitions = (0..<Int32(count)).map { $0 }
        let committed = try consumer.committed(topic: topic, partitions: partitions, timeout: remaining())
        return try partitions.map { p in
            let marks = try consumer.watermarks(topic: topic, partition: p, timeout: remaining())
            let c = committed[p].flatMap { $0 >= 0 ? $0 : nil }
            return PartitionOffsets(partition: p, committed: c, low: marks.low, high: marks.high)
        }
    }
}
