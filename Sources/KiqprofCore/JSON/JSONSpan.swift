/// Where one JSON value sits inside a scanned buffer. For strings the range excludes the quotes.
public struct JSONSpan: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case string, number, object, array, bool, null }
    public let kind: Kind
    public let start: Int
    public let end: Int
    /// A string that contains backslash escapes and needs `JSONScanner.decodeString` to read.
    public let hasEscapes: Bool
    /// For `.bool`, its value.
    public let boolValue: Bool
}
