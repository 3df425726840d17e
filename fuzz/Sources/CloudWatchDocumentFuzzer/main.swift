// Reads a CloudWatch get-metric-statistics or get-metric-data document as `import cloudwatch` does.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let (samples, _) = try? CloudWatchDocument.samples(bytes, name: "fuzz.json", host: "fuzz") {
        precondition(zip(samples, samples.dropFirst()).allSatisfy { $0.t < $1.t }, "one sample per instant, in order")
    }
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
