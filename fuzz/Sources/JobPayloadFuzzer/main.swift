// Decodes a Sidekiq job payload as the census does for every job in Redis.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do {
        let payload = try JobPayload.decode(bytes)
        precondition(!payload.jobClass.isEmpty, "a decoded payload has a class")
        precondition(payload.byteCount == size, "byteCount is the payload's size")
        // The array form must agree with the buffer form.
        let again = try JobPayload.decode(Array(bytes))
        precondition(again == payload, "decode([UInt8]) differs from decode(buffer)")
    } catch {
        _ = error.description
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
