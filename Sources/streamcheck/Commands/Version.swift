import ArgumentParser
import StreamcheckKit

extension Streamcheck {
    struct Version: OperationCommand {
        static let operation = Operations.version
        @Argument(parsing: .allUnrecognized, help: "Parameters, as listed above.") var parameters: [String] = []
    }
}
