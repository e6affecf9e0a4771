import Testing
@testable import LockCore

@Test func placeholder() { #expect(Bool(true)) }
