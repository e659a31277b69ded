import CRdKafka
import Foundation

enum KafkaMetadata {
    static func partitionCount(handle: OpaquePointer, topic: String, timeout: Double, lastError: String?) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var lastFailure = "no answer"
        while Date() < deadline {
            guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { throw KafkaError("invalid topic name '\(topic)'") }
            defer { rd_kafka_topic_destroy(rkt) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let remaining = max(100, Int32(deadline.timeIntervalSinceNow * 1000))
            let err = rd_kafka_metadata(handle, 0, rkt, &metadata, min(remaining, 5000))
            if err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                defer { rd_kafka_metadata_destroy(metadata) }
                if metadata.pointee.topic_cnt > 0 {
                    let t = metadata.pointee.topics[0]
                    if t.err == RD_KAFKA_RESP_ERR_NO_ERROR, t.partition_cnt > 0 { return Int(t.partition_cnt) }
                    lastFailure = String(cString: rd_kafka_err2str(t.err))
                }
            } else {
                lastFailure = String(cString: rd_kafka_err2str(err))
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let detail = lastError.map { " (last broker error: \($0))" } ?? ""
        throw KafkaError("cannot read metadata for topic '\(topic)' within \(describeSeconds(timeout)): \(lastFailure)\(detail)")
    }

    static func watermarks(handle: OpaquePointer, topic: String, partition: Int32, timeout: Double) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, Int32(max(timeout, 0.1) * 1000))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(code: err, context: "cannot read offsets of \(topic)[\(partition)]")
        }
        return (low, high)
    }
}

/// "3s", "1.5s": a bound as the user gave it, neither rounded down nor up.
func describeSeconds(_ seconds: Double) -> String {
    let tenths = (seconds * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int(tenths))s" : String(format: "%.1fs", tenths)
}
