import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Produce: OperationCommand {
        static let operation = Operations.produce
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
