import Kafka
import TerraformIO

/// Every operation, found by its words. Both shells (CLI and `external`) use this list.
public enum Operations {
    public static let all: [OperationDefinition] = [
        version,
        produce,
        brokerStart, brokerStop, brokerRun, brokerFault,
        consume,
    ] + reportOperations + notifyOperations + sinkOperations + connectorOperations + lagOperations

    public static func find(_ words: [String]) -> OperationDefinition? {
        all.first(where: { $0.words == words })
    }
}

public let streamcheckVersion = "0.1.0"

extension Operations {
    public static let version = OperationDefinition(
        words: ["version"],
        summary: "Print the streamcheck and librdkafka versions.",
        parameters: []
    ) { _ in
        let result = JSONValue.object([
            ("version", .string(streamcheckVersion)),
            ("librdkafka_version", .string(KafkaLibrary.version)),
        ])
        return OperationOutcome(result: result, summary: "streamcheck \(streamcheckVersion) (librdkafka \(KafkaLibrary.version))")
    }
}
