import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Report: OperationCommand {
        static let operation = Operations.report
        static let moreHelp = "\n\nExit codes: 0 all passed, 2 a check failed or an operation errored, 1 bad input."
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
