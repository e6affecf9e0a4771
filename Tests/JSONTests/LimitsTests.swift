import Testing

@testable import JSON

@Suite struct LimitsTests {
    private func nestedArrays(_ depth: Int) -> String {
        String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
    }

    private func nestedObjects(_ depth: Int) -> String {
        String(repeating: "{\"k\":", count: depth) + "1" + String(repeating: "}", count: depth)
    }

    @Test func defaultLimits() {
        #expect(JSONLimits.default.maxBytes == 65536)
        #expect(JSONLimits.default.maxDepth == 16)
    }

    @Test func sizeLimitIsInclusive() throws {
        // A string literal padded to exactly 64 KiB.
        let atLimit = "\"" + String(repeating: "x", count: 65536 - 2) + "\""
        #expect(try JSON.parse(atLimit).stringValue?.count == 65534)
        let error = try #require(parseError(atLimit + " "))
        #expect(error.code == .tooLarge)
        #expect(error.description == "payload is 65537 bytes; the limit is 65536")
    }

    @Test func sizeIsCheckedBeforeParsing() {
        // Garbage over the limit reports its size, not its syntax.
        #expect(parseError("'NaN", limits: JSONLimits(maxBytes: 3))?.code == .tooLarge)
        #expect(parseError("[1]", limits: JSONLimits(maxBytes: 3)) == nil)
    }

    @Test(arguments: [0, 1, 2, 16, 40])
    func depthLimitCountsContainers(maxDepth: Int) throws {
        let limits = JSONLimits(maxDepth: maxDepth)
        #expect(parseError(nestedArrays(maxDepth), limits: limits) == nil)
        #expect(parseError(nestedObjects(maxDepth), limits: limits) == nil)
        let arrays = try #require(parseError(nestedArrays(maxDepth + 1), limits: limits))
        #expect(arrays.code == .tooDeep)
        #expect(arrays.offset != nil)
        #expect(parseError(nestedObjects(maxDepth + 1), limits: limits)?.code == .tooDeep)
    }

    @Test func defaultDepthRejectsSeventeenLevels() {
        #expect(parseError(nestedArrays(16)) == nil)
        #expect(parseError(nestedArrays(17))?.code == .tooDeep)
        #expect(parseError(nestedArrays(10_000))?.code == .tooDeep)
    }

    @Test func scalarsHaveDepthZero() {
        #expect(parseError("1", limits: JSONLimits(maxDepth: 0)) == nil)
        #expect(parseError("[]", limits: JSONLimits(maxDepth: 0))?.code == .tooDeep)
    }
}

extension LimitsTests {
    @Test func emptyContainersCountToo() {
        // json-c alone lets an empty container through one level too deep.
        let seventeen = String(repeating: "[", count: 17) + String(repeating: "]", count: 17)
        #expect(JSONCTokener.acceptsAlone(Array(seventeen.utf8)))
        #expect(parseError(seventeen)?.code == .tooDeep)
        #expect(parseError(String(seventeen.dropFirst().dropLast())) == nil)
    }
}
