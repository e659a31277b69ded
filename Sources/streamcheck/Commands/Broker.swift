import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Broker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The embedded broker: librdkafka's mock cluster on loopback, for tests with no infrastructure.",
            subcommands: [Start.self, Stop.self, Run.self, Fault.self])

        struct Start: OperationCommand {
            static let operation = Operations.brokerStart
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Stop: OperationCommand {
            static let operation = Operations.brokerStop
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Run: OperationCommand {
            static let operation = Operations.brokerRun
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }

        struct Fault: OperationCommand {
            static let operation = Operations.brokerFault
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        }
    }
}
