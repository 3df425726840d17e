// Reads a `sadf -j` document as `import sar` does.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? SarDocument.samples(bytes, name: "fuzz.json", host: nil, localOffset: 3600)
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
