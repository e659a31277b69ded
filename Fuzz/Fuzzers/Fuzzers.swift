import Avro
import Foundation
import TerraformIO

/// Coverage-guided fuzzers for the parsers that take text from users: Avro schemas (the text
/// Avro C would otherwise see first) and the `external` query on stdin.
///
///   streamcheck-fuzz TARGET [libFuzzer options] [CORPUS_DIR ...]
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` (scripts/fuzz), TARGET runs under libFuzzer
/// (LLVMFuzzerRunDriver, given the rest of the command line). Built plainly (as `swift build`
/// does), it replays every file of the given directories once, so the corpus stays a
/// regression test in the normal build too. A target fails (traps) only
/// on what the contract forbids: a crash, or an error that is not one line.
@main
struct Fuzzers {
    static let targets: [String: (UnsafeRawBufferPointer) -> Void] = [
        "avro-schema": fuzzAvroSchema,
        "external-query": fuzzExternalQuery,
    ]

    static func main() {
        var arguments = CommandLine.arguments
        guard arguments.count >= 2, let target = targets[arguments[1]] else {
            FileHandle.standardError.write(Data("usage: streamcheck-fuzz \(targets.keys.sorted().joined(separator: "|")) [libFuzzer options] [CORPUS_DIR ...]\n".utf8))
            exit(2)
        }
        arguments.remove(at: 1)
        selected = target
        #if FUZZING
        exit(runLibFuzzer(arguments))
        #else
        exit(replay(arguments.dropFirst().filter { !$0.hasPrefix("-") }))
        #endif
    }

    nonisolated(unsafe) static var selected: (UnsafeRawBufferPointer) -> Void = { _ in }

    /// Runs the target once on every file under the directories; the exit status says whether all ran.
    static func replay(_ directories: [String]) -> Int32 {
        var count = 0
        for directory in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files.sorted() {
                guard let data = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
                data.withUnsafeBytes { selected($0) }
                count += 1
            }
        }
        print("replayed \(count) inputs")
        return 0
    }

    static func fuzzAvroSchema(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        do { _ = try AvroSchema.parse(text) } catch let error as AvroError {
            expectOneLine(error.description)
        } catch {
            fatalError("AvroSchema.parse threw a non-Avro error: \(error)")
        }
    }

    static func fuzzExternalQuery(_ bytes: UnsafeRawBufferPointer) {
        do { _ = try ExternalProtocol.decodeQuery(Array(bytes)) } catch let error as ParameterError {
            expectOneLine(error.message)
        } catch {
            fatalError("decodeQuery threw a non-parameter error: \(error)")
        }
    }

    static func expectOneLine(_ message: String) {
        if message.isEmpty || message.contains("\n") { fatalError("an error that is not one line: \(message.debugDescription)") }
    }
}

#if FUZZING
/// libFuzzer's fixed entry point; the runtime links against it even when LLVMFuzzerRunDriver is
/// given the callback, so it runs the selected target too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Fuzzers.selected(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

func runLibFuzzer(_ arguments: [String]) -> Int32 {
    var argc = Int32(arguments.count)
    var cStrings: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    return cStrings.withUnsafeMutableBufferPointer { buffer in
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
        return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) }
    }
}
#endif
