import Avro
import Foundation
import TerraformIO

/// A data file of JSON lines converted through an Avro schema. Every line must fit; the first
/// that does not is rejected with its line number and the field. Records are kept in their
/// normalized form (defaults filled, schema field order), which is what consumers decode.
public enum AvroDataFile {
    public static func load(path: String, codec: AvroCodec, parameterName: String = "data_file") throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StreamcheckError("\(parameterName) \(path): cannot read the file; check the path")
        }
        var records: [JSONValue] = []
        var lineNumber = 0
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            let json: JSONValue
            do { json = try JSONValue.parse(text) } catch {
                throw StreamcheckError("\(parameterName) \(path) line \(lineNumber): not JSON (\(error))")
            }
            do { records.append(try codec.normalize(json)) } catch {
                throw StreamcheckError("\(parameterName) \(path) line \(lineNumber) does not fit the Avro schema: \(error)")
            }
        }
        if records.isEmpty { throw StreamcheckError("\(parameterName) \(path): no records (one JSON object per line expected)") }
        return records
    }
}
