import JSON
import PropertyBased
import Testing

@Suite struct RoundTripPropertyTests {
    @Test func parseOfSerializedIsIdentity() async {
        await propertyCheck(count: 500, input: JSONValueGenerator.value) { value in
            let bytes = try value.serializedBytes()
            let parsed = try JSON.parse(bytes)
            #expect(parsed == value)
            // Order too: equality ignores key order, the serialized bytes do not.
            #expect(try parsed.serializedBytes() == bytes)
        }
    }

    @Test func arbitraryBytesNeverCrash() async {
        let bytes = Gen<UInt8>.value(in: 0...255).array(of: 0...40)
        await propertyCheck(count: 2000, input: bytes) { input throws in
            if let value = try? JSON.parse(input) {
                // Anything accepted must re-serialize to JSON that parses to the same value.
                #expect(try JSON.parse(value.serializedBytes()) == value)
            }
        }
    }

    @Test func mutatedJSONNeverCrashes() async {
        // Byte-level mutations of valid documents reach deeper into json-c than noise does.
        let documents = JSONValueGenerator.value.map { try! $0.serializedBytes() }
        await propertyCheck(
            count: 1000, input: documents, Gen<Int>.int(in: 0...1000), Gen<UInt8>.value(in: 0...255)
        ) { document, position, byte throws in
            guard !document.isEmpty else { return }
            var mutated = document
            mutated[position % mutated.count] = byte
            if let value = try? JSON.parse(mutated) {
                #expect(try JSON.parse(value.serializedBytes()) == value)
            }
        }
    }
}
