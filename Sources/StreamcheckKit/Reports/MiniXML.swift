import Foundation

/// Just enough XML for JUnit: escaping for writing, and a small reader for merging the JUnit
/// files `terraform test -junit-xml` writes (and for tests that parse our output back).
/// No DTDs, no namespaces; that is all JUnit needs, and it keeps the output well-formed.
public enum MiniXML {
    public struct Element: Sendable {
        public var name: String
        public var attributes: [(String, String)]
        public var children: [Node]

        public init(_ name: String, _ attributes: [(String, String)] = [], _ children: [Node] = []) {
            self.name = name
            self.attributes = attributes
            self.children = children
        }

        public subscript(attribute: String) -> String? { attributes.first(where: { $0.0 == attribute })?.1 }

        public var elements: [Element] {
            children.compactMap { if case let .element(e) = $0 { return e }; return nil }
        }

        public func elements(named name: String) -> [Element] { elements.filter { $0.name == name } }

        /// All text below this element, in order.
        public var text: String {
            children.map { node in
                switch node {
                case let .text(t): return t
                case let .element(e): return e.text
                }
            }.joined()
        }

        /// Serialized without an XML declaration; `indent` nests child elements one per line.
        public func serialized(indent: Int = 0) -> String {
            let pad = String(repeating: "  ", count: indent)
            var out = pad + "<" + name
            for (key, value) in attributes { out += " \(key)=\"\(MiniXML.escape(value))\"" }
            if children.isEmpty { return out + "/>" }
            out += ">"
            let onlyElements = children.allSatisfy {
                if case let .text(t) = $0 { return t.allSatisfy(\.isWhitespace) }
                return true
            }
            if onlyElements {
                for case let .element(child) in children { out += "\n" + child.serialized(indent: indent + 1) }
                return out + "\n" + pad + "</\(name)>"
            }
            for child in children {
                switch child {
                case let .text(t): out += MiniXML.escapeText(t)
                case let .element(e): out += e.serialized()
                }
            }
            return out + "</\(name)>"
        }
    }

    public indirect enum Node: Sendable {
        case element(Element)
        case text(String)
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let offset: Int
        public let reason: String
        public var description: String { "\(reason) at byte \(offset)" }
    }

    /// Escapes text for element content and attribute values alike. Characters XML 1.0 cannot
    /// carry at all (most control characters) become U+FFFD so the document stays well-formed.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out += "&#\(scalar.value);"
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Escaped element text that keeps its line breaks readable.
    public static func escapeText(_ s: String) -> String {
        // Quotes need no escaping in element content; leaving them keeps failure text readable.
        escape(s).replacingOccurrences(of: "&#10;", with: "\n").replacingOccurrences(of: "&#9;", with: "\t")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
    }

    public static func parse(_ text: String) throws -> Element {
        var reader = Reader(bytes: Array(text.utf8))
        return try reader.document()
    }

    struct Reader {
        let bytes: [UInt8]
        var i = 0
        var depth = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func fail(_ reason: String) -> ParseError { ParseError(offset: i, reason: reason) }

        func starts(with s: String) -> Bool {
            let u = Array(s.utf8)
            return i + u.count <= bytes.count && Array(bytes[i..<i + u.count]) == u
        }

        mutating func skip(past terminator: String) throws {
            let t = Array(terminator.utf8)
            while i + t.count <= bytes.count {
                if Array(bytes[i..<i + t.count]) == t { i += t.count; return }
                i += 1
            }
            throw fail("unterminated \(terminator)")
        }

        mutating func skipSpace() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }

        /// Comments, processing instructions, a DOCTYPE and whitespace around the root element.
        mutating func skipMisc() throws {
            while true {
                skipSpace()
                if i < bytes.count, bytes[i] == 0xEF, starts(with: "\u{FEFF}") { i += 3; continue }
                if starts(with: "<?") { try skip(past: "?>"); continue }
                if starts(with: "<!--") { try skip(past: "-->"); continue }
                if starts(with: "<!DOCTYPE") {
                    var nesting = 0
                    while i < bytes.count {
                        let b = bytes[i]; i += 1
                        if b == UInt8(ascii: "[") { nesting += 1 }
                        if b == UInt8(ascii: "]") { nesting -= 1 }
                        if b == UInt8(ascii: ">"), nesting <= 0 { break }
                    }
                    continue
                }
                return
            }
        }

        mutating func document() throws -> Element {
            try skipMisc()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw fail("expected the root element") }
            let root = try element()
            try skipMisc()
            if i != bytes.count { throw fail("unexpected content after the root element") }
            return root
        }

        mutating func name() throws -> String {
            let start = i
            while i < bytes.count {
                let b = bytes[i]
                if [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "<")].contains(b) { break }
                i += 1
            }
            if i == start { throw fail("expected a name") }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }

        mutating func element() throws -> Element {
            depth += 1
            defer { depth -= 1 }
            if depth > 200 { throw fail("XML nested too deeply") }
            i += 1 // "<"
            var element = Element(try name())
            while true {
                skipSpace()
                guard i < bytes.count else { throw fail("unterminated start tag <\(element.name)>") }
                if bytes[i] == UInt8(ascii: "/") {
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw fail("expected '/>'") }
                    i += 2
                    return element
                }
                if bytes[i] == UInt8(ascii: ">") { i += 1; break }
                let key = try name()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("expected '=' after attribute \(key)") }
                i += 1
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                    throw fail("expected a quoted value for attribute \(key)")
                }
                let quote = bytes[i]
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != quote {
                    if bytes[i] == UInt8(ascii: "<") { throw fail("'<' in attribute \(key)") }
                    i += 1
                }
                guard i < bytes.count else { throw fail("unterminated attribute \(key)") }
                let raw = String(decoding: bytes[start..<i], as: UTF8.self)
                i += 1
                if element[key] != nil { throw fail("attribute \(key) appears twice") }
                element.attributes.append((key, try decodeEntities(raw, normalizeWhitespace: true)))
            }
            // Content until the matching end tag.
            var text: [UInt8] = []
            func flush(_ element: inout Element, _ text: inout [UInt8]) throws {
                if text.isEmpty { return }
                element.children.append(.text(try decodeEntities(String(decoding: text, as: UTF8.self), normalizeWhitespace: false)))
                text = []
            }
            while true {
                guard i < bytes.count else { throw fail("missing </\(element.name)>") }
                if bytes[i] != UInt8(ascii: "<") {
                    text.append(bytes[i]); i += 1
                    continue
                }
                if starts(with: "</") {
                    try flush(&element, &text)
                    i += 2
                    let closing = try name()
                    guard closing == element.name else { throw fail("</\(closing)> closes <\(element.name)>") }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("expected '>'") }
                    i += 1
                    return element
                }
                if starts(with: "<!--") { try skip(past: "-->"); continue }
                if starts(with: "<?") { try skip(past: "?>"); continue }
                if starts(with: "<![CDATA[") {
                    try flush(&element, &text)
                    i += 9
                    let start = i
                    try skip(past: "]]>")
                    element.children.append(.text(String(decoding: bytes[start..<(i - 3)], as: UTF8.self)))
                    continue
                }
                try flush(&element, &text)
                element.children.append(.element(try self.element()))
            }
        }

        func decodeEntities(_ raw: String, normalizeWhitespace: Bool) throws -> String {
            var source = raw
            if normalizeWhitespace {
                // Literal tabs and line breaks in attribute values read as spaces (XML 1.0 3.3.3);
                // character references such as &#10; are decoded after this and so survive.
                source = source.replacingOccurrences(of: "\r\n", with: " ")
                for c in ["\t", "\n", "\r"] { source = source.replacingOccurrences(of: c, with: " ") }
            }
            if !source.contains("&") { return source }
            var out = ""
            var rest = Substring(source)
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";") else { throw fail("unterminated entity") }
                let entity = rest[rest.index(after: amp)..<semi]
                switch entity {
                case "lt": out += "<"
                case "gt": out += ">"
                case "amp": out += "&"
                case "quot": out += "\""
                case "apos": out += "'"
                default:
                    var code: UInt32?
                    if entity.hasPrefix("#x") { code = UInt32(entity.dropFirst(2), radix: 16) }
                    else if entity.hasPrefix("#") { code = UInt32(entity.dropFirst(1)) }
                    guard let code, let scalar = Unicode.Scalar(code) else { throw fail("unknown entity &\(entity);") }
                    out.unicodeScalars.append(scalar)
                }
                rest = rest[rest.index(after: semi)...]
            }
            out += rest
            return out
        }
    }
}
