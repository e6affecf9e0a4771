import Foundation

/// The checked-in inputs of the fuzz targets: `Fuzz/corpus/<target>/` (seeds) and
/// `Fuzz/regressions/<target>/` (every crash or leak libFuzzer found, kept after the fix).
public enum FuzzCorpus {
    public struct File: Sendable {
        public let path: String
        public let bytes: [UInt8]
    }

    /// The file at `path`, or every regular file under it, sorted by path.
    public static func files(at path: String) -> [File] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return [] }
        let paths: [String]
        if isDirectory.boolValue {
            let names = (try? FileManager.default.subpathsOfDirectory(atPath: path)) ?? []
            paths = names.sorted().map { "\(path)/\($0)" }
        } else {
            paths = [path]
        }
        return paths.compactMap { file in
            var directory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &directory), !directory.boolValue,
                let data = FileManager.default.contents(atPath: file)
            else { return nil }
            return File(path: file, bytes: Array(data))
        }
    }
}
