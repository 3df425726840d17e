/// Why a byte buffer is not the JSON it should be; `offset` is the byte position of the problem.
public struct JSONScanError: Error, Equatable, CustomStringConvertible, Sendable {
    public let offset: Int
    public let expected: String

    public var description: String { "invalid JSON at byte \(offset): expected \(expected)" }
}
