import Foundation

/// Loads a whole JSON export after validating it with `JSONScanner`, so a truncated or garbled document is
/// refused with the byte offset of the problem instead of a Foundation error.
enum JSONDocument {
    static func load(_ bytes: [UInt8], name: String) throws -> Any {
        do {
            _ = try bytes.withUnsafeBytes { buffer throws(JSONScanError) in try JSONScanner.scanValue(buffer) }
        } catch let error as JSONScanError {
            let reason = error.offset >= bytes.count - 1
                ? "the document is cut off (expected \(error.expected))" : "invalid JSON: expected \(error.expected)"
            throw KiqprofError.invalidData(location: "\(name) (byte \(error.offset))", reason: reason + "; nothing was imported")
        }
        return try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// The whole part of `value`, or nil when an Int cannot hold it (a garbled export's 1e300 or NaN).
    static func integer(_ value: Double) -> Int? { Int(exactly: value.rounded(.towardZero)) }

    static func number(_ value: Any?) -> Double? {
        // `value is Bool` is true for a bridged NSNumber 0 or 1, so compare the dynamic type instead.
        if let value, type(of: value) == Bool.self { return nil }
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String { return Double(text) }
        return nil
    }
}
