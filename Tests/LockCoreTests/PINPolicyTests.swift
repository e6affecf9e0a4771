import Foundation
import Testing
@testable import LockCore

@Suite struct PINPolicyTests {
    let policy = PINPolicy()

    @Test(arguments: [
        ("12345", PINRule.tooShort), ("48a913", .notDigits), ("48 913", .notDigits),
        ("123123", .commonCode), ("112233", .commonCode), ("696969", .commonCode), ("159753", .commonCode),
        ("777777", .commonCode), ("444444", .repeatedDigit), ("3333333", .repeatedDigit),
        ("345678", .ascendingSequence), ("890123", .ascendingSequence), ("876543", .descendingSequence),
        ("210987", .descendingSequence), ("147369", .keypadPattern), ("963852", .keypadPattern),
        ("258369", .keypadPattern), ("135797", nil), ("024680", nil),
    ] as [(String, PINRule?)])
    func sixDigitRules(code: String, rule: PINRule?) {
        #expect(policy.violation(for: code)?.rule == rule)
    }

    @Test(arguments: [
        ("1234", PINRule.commonCode), ("1111", .commonCode), ("2001", .commonCode), ("6969", .commonCode),
        ("5678", .ascendingSequence), ("9012", .ascendingSequence), ("8765", .descendingSequence),
        ("1987", .year), ("2049", .year), ("1900", .year), ("2099", .year),
        ("2580", .keypadPattern), ("0852", .keypadPattern), ("1470", .keypadPattern), ("3690", .keypadPattern),
        ("1379", .keypadPattern), ("2468", .keypadPattern), ("1357", .keypadPattern), ("8642", .keypadPattern),
        ("9999", .commonCode), ("3331", nil), ("1899", nil), ("2100", nil), ("4719", nil), ("8406", nil),
    ] as [(String, PINRule?)])
    func fourDigitRules(code: String, rule: PINRule?) {
        #expect(PINPolicy(minimumLength: 4).violation(for: code)?.rule == rule)
    }

    @Test func goodCodesPass() {
        for code in ["480913", "720615", "39184027", "5931"] where code.count >= 6 {
            #expect(policy.violation(for: code) == nil, "a random-looking code must pass")
        }
        #expect(PINPolicy(minimumLength: 4).violation(for: "5931") == nil)
    }

    @Test func minimumNeverBelowFour() {
        #expect(PINPolicy(minimumLength: 2).minimumLength == 4)
        #expect(PINPolicy(minimumLength: 2).violation(for: "593")?.rule == .tooShort)
        #expect(PINPolicy(minimumLength: 8).violation(for: "4809137")?.rule == .tooShort)
    }

    @Test func overrideCodeNeedsEightDigitsAndSameRules() {
        let policy = PINPolicy.overrideCode
        #expect(policy.violation(for: "4809137")?.rule == .tooShort)
        #expect(policy.violation(for: "12345678")?.rule == .commonCode)
        #expect(policy.violation(for: "23456789")?.rule == .ascendingSequence)
        #expect(policy.violation(for: "55555555")?.rule == .repeatedDigit)
        #expect(policy.violation(for: "48091372") == nil)
    }

    @Test func violationNamesTheRuleNeverTheCode() {
        let code = "345678"
        let violation = policy.violation(for: code)
        #expect(violation?.code == .weakCode)
        #expect(violation?.message == "code is an ascending sequence")
        for text in [violation?.description, violation.map { String(reflecting: $0) }].compactMap({ $0 }) {
            #expect(!text.contains(code))
        }
        for rule in PINRule.allCases { #expect(!rule.message.isEmpty) }
    }
}
