import CRdKafka

/// librdkafka's in-process mock cluster, serving the Kafka protocol on loopback ports.
/// It lives as long as this object: the rd_kafka_t it hangs off is owned here.
public final class MockCluster: @unchecked Sendable {
    private let handle: OpaquePointer
    private let cluster: OpaquePointer

    public init(brokers: Int) throws {
        var config = KafkaConfig()
        // The owning handle never connects anywhere itself.
        config.set("bootstrap.servers", "")
        let conf = try config.makeHandle()
        handle = try makeClient(RD_KAFKA_PRODUCER, conf)
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokers)) else {
            rd_kafka_destroy(handle)
            throw KafkaError("cannot start the embedded broker (librdkafka mock cluster)")
        }
        self.cluster = cluster
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    public var bootstrapServers: String { String(cString: rd_kafka_mock_cluster_bootstraps(cluster)) }

    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int) throws {
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot create topic '\(name)'") }
    }

    public func setBrokerDown(_ brokerId: Int32) {
        rd_kafka_mock_broker_set_down(cluster, brokerId)
    }

    public func setBrokerUp(_ brokerId: Int32) {
        rd_kafka_mock_broker_set_up(cluster, brokerId)
    }

    /// Adds round-trip latency to every request a broker answers.
    public func setBrokerRTT(_ brokerId: Int32, milliseconds: Int) {
        rd_kafka_mock_broker_set_rtt(cluster, brokerId, Int32(milliseconds))
    }

    /// The next `count` requests of the API key fail with `errorCode` (a Kafka protocol error).
    public func pushRequestErrors(apiKey: Int16, errorCode: Int32, count: Int) {
        let errors = [rd_kafka_resp_err_t](repeating: rd_kafka_resp_err_t(errorCode), count: count)
        rd_kafka_mock_push_request_errors_array(cluster, apiKey, errors.count, errors)
    }

    public func setCoordinator(groupId: String, brokerId: Int32) throws {
        let err = rd_kafka_mock_coordinator_set(cluster, "group", groupId, brokerId)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot move the coordinator of '\(groupId)'") }
    }

    public func setPartitionLeader(topic: String, partition: Int32, brokerId: Int32) throws {
        let err = rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerId)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(code: err, context: "cannot move the leader of \(topic)[\(partition)]") }
    }
}
