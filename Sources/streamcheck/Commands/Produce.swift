import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Produce: ParsableCommand {
        static let operation = Operations.produce
        static let configuration = CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp)
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
    }
}
