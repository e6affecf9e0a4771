import Testing
@testable import JSON

@Test func placeholder() { #expect(Bool(true)) }
