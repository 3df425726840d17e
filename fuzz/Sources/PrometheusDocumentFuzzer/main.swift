// Reads a Prometheus range-query response as `import prometheus` does.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? PrometheusDocument.samples(bytes, name: "fuzz.json", host: nil)
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
