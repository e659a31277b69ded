import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Report: ParsableCommand {
        static let operation = Operations.report
        static let configuration = CommandConfiguration(
            abstract: operation.summary,
            discussion: operation.parameterHelp + "\n\nExit codes: 0 all passed, 2 a check failed or an operation errored, 1 bad input.")
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
        func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
    }
}
