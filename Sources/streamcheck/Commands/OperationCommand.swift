import ArgumentParser
import StreamcheckKit

/// A subcommand that is one operation: its help is the operation's own parameter table, and
/// every word after it goes to the operation's parser (the one `external` uses too), so the
/// CLI and the external data source accept the same parameters with the same messages.
protocol OperationCommand: ParsableCommand {
    static var operation: OperationDefinition { get }
    /// Appended to the help: the environment variables the operation reads, its exit codes.
    static var moreHelp: String { get }
    var parameters: [String] { get }
}

extension OperationCommand {
    static var moreHelp: String { "" }

    static var configuration: CommandConfiguration {
        CommandConfiguration(abstract: operation.summary, discussion: operation.parameterHelp + moreHelp)
    }

    func run() throws { OperationShell.runCommandLine(Self.operation, parameters) }
}
