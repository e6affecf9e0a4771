import Foundation
import FuzzTargets

// Built by `make fuzz` with -sanitize=fuzzer,address and -DFUZZING: libFuzzer drives the target
// that FUZZ_TARGET names. Built plainly (as `swift build` does), it replays files instead, so the
// target's corpus runs without libFuzzer: `lockbridge-fuzz <target> <file or directory>…`.

#if FUZZING
typealias FuzzerCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzerCallback
) -> CInt

/// Set once, before libFuzzer starts calling.
nonisolated(unsafe) var selected: FuzzTarget?

@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let selected else { return 0 }
    selected.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

/// SwiftPM links an executable's entry point under this name (`main` is an alias of it).
@_cdecl("lockbridge_fuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("FUZZ_TARGET must be one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        return 2
    }
    selected = target
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}
#else
@main
enum Replay {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--list" {
            for target in FuzzTarget.all { print("\(target.name)\t\(target.summary)") }
            return
        }
        guard let name = arguments.first, let target = FuzzTarget.named(name), arguments.count > 1 else {
            FileHandle.standardError.write(Data("usage: lockbridge-fuzz --list | <target> <file or directory>…\n".utf8))
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            for file in FuzzCorpus.files(at: path) {
                target.run(file.bytes)
                count += 1
            }
        }
        print("\(name): \(count) input(s) replayed, every invariant held")
    }
}
#endif
