import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Broker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The embedded broker: librdkafka's mock cluster on loopback, for tests with no infrastructure.",
            subcommands: [Start.self, Stop.self, Run.self, Fault.self])

        struct Start: ParsableCommand {
            static let operation = Operations.brokerStart
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Stop: ParsableCommand {
            static let operation = Operations.brokerStop
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Run: ParsableCommand {
            static let operation = Operations.brokerRun
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }

        struct Fault: ParsableCommand {
            static let operation = Operations.brokerFault
            static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
            @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
            func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
        }
    }
}
