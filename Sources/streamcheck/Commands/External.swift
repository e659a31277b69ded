import ArgumentParser
import Foundation
import StreamcheckKit
import TerraformIO

extension Streamcheck {
    /// `program = ["streamcheck", "external", "consume"]` in a `data "external"` block.
    struct External: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an operation for Terraform's external data source: query JSON on stdin, flat JSON of strings on stdout.",
            discussion: "Operations: " + Operations.all.map(\.name).joined(separator: ", ")
        )
        @Argument(help: "The operation, e.g. produce, consume, broker start, connector wait.") var operation: [String] = []

        func run() throws {
            guard !operation.isEmpty else {
                OperationShell.fail("external: no operation given; operations: \(Operations.all.map(\.name).joined(separator: ", "))")
            }
            // The external protocol must return: a broker run in the foreground never does.
            if operation == ["broker", "run"] {
                OperationShell.fail("external: broker run never returns, and Terraform would wait forever; use external broker start (it runs the broker in the background)")
            }
            guard let op = Operations.find(operation) else {
                OperationShell.fail("external: unknown operation '\(operation.joined(separator: " "))'; operations: \(Operations.all.map(\.name).joined(separator: ", "))")
            }
            // Read one byte past the limit so an oversized query is refused, not truncated.
            let data = FileHandle.standardInput.readData(ofLength: ExternalProtocol.maxQueryBytes + 1)
            OperationShell.runExternal(op, stdin: [UInt8](data))
        }
    }
}
