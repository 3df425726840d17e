// Parses a dotenv file (`--env-file`), which may be any text at all.
import CLibFuzzer
import KiqprofCore

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let file = EnvironmentFile.parse(text, name: "fuzz.env")
    precondition(file.values.keys.allSatisfy { !$0.isEmpty }, "no empty variable name")
    return 0
}

RunLibFuzzer(CommandLine.argc, CommandLine.unsafeArgv, fuzzOne)
