/// A RESP2 reply, deep-copied out of hiredis. hiredis 0.14 produces exactly these six kinds.
public enum RedisValue: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int64)
    case bulkString([UInt8])
    case null
    case array([RedisValue])

    /// The value as UTF-8 text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .status(let text): return text
        case .integer(let number): return String(number)
        default: return nil
        }
    }

    /// The value as an integer, for integer replies and bulk strings holding digits.
    public var integer: Int64? {
        switch self {
        case .integer(let number): return number
        case .bulkString(let bytes): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// The elements of an array reply; nil for any other kind.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A short name of the reply kind, for error messages.
    public var kindName: String {
        switch self {
        case .status: return "status"
        case .error: return "error"
        case .integer: return "integer"
        case .bulkString: return "bulk string"
        case .null: return "nil"
        case .array: return "array"
        }
    }
}
