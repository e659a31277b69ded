import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Lag: OperationCommand {
        static let operation = Operations.lag
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
