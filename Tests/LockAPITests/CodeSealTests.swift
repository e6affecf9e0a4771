import Foundation
import JSON
import LockAPI
import LockCore
import Testing

/// Codes on the device link are sealed (AES-256-GCM, spec 3.2): a captured command gives away
/// neither the code nor a hash to brute-force.
@Suite struct CodeSealTests {
    static let signer = DeviceSigner(key: Array(repeating: 7, count: 32))
    static let door = LockID("front-door")!
    static let lock = Lock(salt: Array(repeating: 3, count: 16), hasher: CodeHasher(iterations: 64))

    /// A `set_code` as the bridge sends it: the new code and the remote code, each sealed.
    func captured(_ code: String, authorisedBy remote: String) throws -> [UInt8] {
        let seal = Self.signer.codeSeal
        let command = DeviceCommand(
            requestID: "cli-1", counter: 9,
            command: .setCode(slot: 2, name: "Dog walker", hash: CodeHash(bytes: seal.seal(code, lock: Self.door, field: CodeSeal.newCodeField))),
            code: CodeHash(bytes: seal.seal(remote, lock: Self.door, field: CodeSeal.remoteCodeField)))
        return try command.payload()
    }

    @Test func theLockOpensTheCodesAndKeepsItsOwnHashes() throws {
        let parsed = try DeviceCommand.parse(try captured("246813", authorisedBy: "583920"), lock: Self.door, seal: Self.signer.codeSeal, hash: Self.lock.hash(code:))
        guard case .setCode(_, _, let hash, _, _, _, _) = parsed.command else {
            Issue.record("not a set_code")
            return
        }
        #expect(hash == Self.lock.hash(code: "246813"))
        #expect(parsed.code == Self.lock.hash(code: "583920"))
    }

    @Test func aCapturedSetCodeGivesAwayNeitherTheCodeNorItsHash() throws {
        let payload = try captured("246813", authorisedBy: "583920")
        let text = String(decoding: payload, as: UTF8.self)
        for code in ["246813", "583920"] {
            #expect(!text.contains(code), "no code in clear")
            // Not the lock's hash, nor a hash under any salt the lock publishes.
            #expect(!text.contains(Hex.encode(Self.lock.hash(code: code).rawBytes)))
        }
        #expect(!text.contains("code_hash"), "no hash field at all")
        let o = try JSON.parseObject(payload)
        let sealed = try #require(Hex.decode(try o.string(CodeSeal.newCodeField)))
        #expect(sealed.count == 12 + 6 + 16, "nonce, ciphertext of the 6 digits, tag")
    }

    @Test func everySealHasAFreshNonce() {
        let seal = Self.signer.codeSeal
        let a = seal.seal("246813", lock: Self.door, field: CodeSeal.newCodeField)
        let b = seal.seal("246813", lock: Self.door, field: CodeSeal.newCodeField)
        #expect(a != b && a.prefix(12) != b.prefix(12), "the same code twice looks different on the wire")
    }

    @Test func aSealedCodeOpensOnlyForItsLockFieldAndKey() throws {
        let seal = Self.signer.codeSeal
        let sealed = seal.seal("246813", lock: Self.door, field: CodeSeal.newCodeField)
        #expect(try seal.open(sealed, lock: Self.door, field: CodeSeal.newCodeField) == "246813")
        #expect(throws: DeviceLinkError.self) { try seal.open(sealed, lock: LockID("back-door")!, field: CodeSeal.newCodeField) }
        #expect(throws: DeviceLinkError.self) { try seal.open(sealed, lock: Self.door, field: CodeSeal.remoteCodeField) }
        #expect(throws: DeviceLinkError.self) { try DeviceSigner(key: Array(repeating: 8, count: 32)).codeSeal.open(sealed, lock: Self.door, field: CodeSeal.newCodeField) }
        var tampered = sealed
        tampered[14] ^= 1
        #expect(throws: DeviceLinkError.self) { try seal.open(tampered, lock: Self.door, field: CodeSeal.newCodeField) }
        do {
            _ = try seal.open(tampered, lock: Self.door, field: CodeSeal.newCodeField)
        } catch {
            #expect(error.field == CodeSeal.newCodeField && !error.message.contains("246813"))
        }
    }
}
