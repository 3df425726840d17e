import Foundation
import Testing
@testable import KiqprofCore

@Suite struct JSONScannerTests {
    func members(_ text: String) throws -> [String: String] {
        var found: [String: String] = [:]
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { buffer in
            try JSONScanner.scanObject(buffer) { key, span in
                let name = String(decoding: key, as: UTF8.self)
                found[name] = span.kind == .string ? JSONScanner.string(buffer, span)! : String(decoding: buffer[span.start..<span.end],
                    as: UTF8.self)
            }
        }
        return found
    }

    func scanError(_ text: String) -> JSONScanError? {
        let bytes = Array(text.utf8)
        do {
            try bytes.withUnsafeBytes { buffer in try JSONScanner.scanObject(buffer) { _, _ in } }
            return nil
        } catch let error as JSONScanError {
            return error
        } catch {
            return nil
        }
    }

    @Test func topLevelMembersAndNestedValuesSkipped() throws {
        let found = try members(#"{"retry":true,"args":[{"a":[1,2,{"b":"}"}]},"x\"y"],"class":"HardJob","n":-1.5e3,"z":null}"#)
        #expect(found["class"] == "HardJob")
        #expect(found["retry"] == "true")
        #expect(found["n"] == "-1.5e3")
        #expect(found["args"] == #"[{"a":[1,2,{"b":"}"}]},"x\"y"]"#)
        #expect(found["z"] == "null")
    }

    @Test func escapesAreDecoded() throws {
        let found = try members(#"{"msg":"line\nbreak \"quoted\" back\\slash \u00e9 \ud83d\ude00","end":"\\"}"#)
        #expect(found["msg"] == "line\nbreak \"quoted\" back\\slash é 😀")
        #expect(found["end"] == "\\")
    }

    /// The scanner reads sixteen, then eight bytes at a time and jumps to the first special byte of a word; a
    /// quote, backslash or control byte at every offset (after UTF-8 bytes too) must still be found exactly.
    @Test(arguments: 0..<40) func specialBytesAtEveryWordOffset(padding: Int) throws {
        let filler = String(repeating: "a", count: padding)
        let found = try members("{\"k\":\"\(filler)\\\"\(filler)\",\"next\":\"\(filler)\"}")
        #expect(found["k"] == filler + "\"" + filler)
        #expect(found["next"] == filler)
        #expect(try members("{\"k\":\"é\(filler)\",\"n\":1}") == ["k": "é" + filler, "n": "1"])
        #expect(scanError("{\"k\":\"\(filler)\u{01}\"}") == JSONScanError(offset: 6 + padding,
            expected: "no raw control character inside a string"))
    }

    @Test func errorsCarryTheByteOffset() {
        #expect(scanError(#"{"class":"Trunc"#) == JSONScanError(offset: 15, expected: "'\"' to close the string opened at byte 9"))
        #expect(scanError("this is not json") == JSONScanError(offset: 0, expected: "'{' at the start of a JSON object"))
        #expect(scanError(#"{"a":[1,2},"b":1}"#) == JSONScanError(offset: 9, expected: "',' or ']' in an array"))
        #expect(scanError(#"{"a":1} trailing"#) == JSONScanError(offset: 8, expected: "end of input after the JSON object"))
        #expect(scanError(#"{"a":01x}"#)?.offset == 6)
        #expect(scanError(#"{"a":tru}"#)?.expected == "'true'")
        #expect(scanError("") != nil)
        #expect(JSONScanError(offset: 3, expected: "x").description == "invalid JSON at byte 3: expected x")
    }

    @Test func numbersParseAsSidekiqTimestamps() {
        let bytes = Array(#"[1795715276.1691823,1795714220779,-2,1e3]"#.utf8)
        bytes.withUnsafeBytes { buffer in
            let spans = [(1, 19), (20, 33), (34, 36), (37, 40)].map { JSONSpan(kind: .number, start: $0.0, end: $0.1, hasEscapes: false,
                boolValue: false) }
            #expect(abs(JSONScanner.double(buffer, spans[0])! - 1795715276.1691823) < 1e-6)
            #expect(JSONScanner.double(buffer, spans[1]) == 1795714220779)
            #expect(JSONScanner.double(buffer, spans[2]) == -2)
            #expect(JSONScanner.double(buffer, spans[3]) == 1000)
        }
    }
}
