import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Consume: OperationCommand {
        static let operation = Operations.consume
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
