import CRdKafka
import Foundation

enum KafkaMetadata {
    /// `serve` runs the client's callbacks between attempts (errors reach `context` only then).
    static func partitionCount(handle: OpaquePointer, topic: String, timeout: Double, context: ClientContext,
                               serve: () -> Void) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var lastFailure = "no answer"
        while Date() < deadline {
            serve()
            if let refused = context.refusedLogin() { throw refused }
            guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { throw KafkaError("invalid topic name '\(topic)'") }
            defer { rd_kafka_topic_destroy(rkt) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            let remaining = max(100, Int32(deadline.timeIntervalSinceNow * 1000))
            let err = rd_kafka_metadata(handle, 0, rkt, &metadata, min(remaining, 1000))
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
        serve()
        if let refused = context.refusedLogin() { throw refused }
        let detail = context.lastError.map { " (last broker error: \($0))" } ?? ""
        throw KafkaError("cannot read metadata for topic '\(topic)' within \(describeSeconds(timeout)): \(lastFailure)\(detail)")
    }

    /// Asked in slices of at most a second, so a refused login ends the wait at once.
    static func watermarks(handle: OpaquePointer, topic: String, partition: Int32, timeout: Double, context: ClientContext,
                           serve: () -> Void) throws -> (low: Int64, high: Int64) {
        let deadline = Date().addingTimeInterval(max(timeout, 0.1))
        var low: Int64 = 0
        var high: Int64 = 0
        while true {
            let slice = min(1.0, max(0.1, deadline.timeIntervalSinceNow))
            let err = rd_kafka_query_watermark_offsets(handle, topic, partition, &low, &high, Int32(slice * 1000))
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return (low, high) }
            serve()
            if let refused = context.refusedLogin() { throw refused }
            if err != RD_KAFKA_RESP_ERR__TIMED_OUT || deadline.timeIntervalSinceNow <= 0 {
                throw KafkaError(code: err, context: "cannot read offsets of \(topic)[\(partition)]")
            }
        }
    }
}

/// "3s", "1.5s": a bound as the user gave it, neither rounded down nor up.
func describeSeconds(_ seconds: Double) -> String {
    let tenths = (seconds * 10).rounded() / 10
    return tenths == tenths.rounded() ? "\(Int(tenths))s" : String(format: "%.1fs", tenths)
}
