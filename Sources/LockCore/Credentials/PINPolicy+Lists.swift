extension PINPolicy {
    /// DataGenetics' 20 most common 4-digit PINs, and obvious 6- and 8-digit ones.
    static let commonCodes: Set<String> = [
        "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
        "9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
        "123456", "654321", "111111", "000000", "121212", "123123", "112233", "696969",
        "159753", "147258", "789456", "666666", "123321", "102030", "112211", "131313",
        "520520", "987654", "456789", "101010", "123654", "777777", "555555", "121314",
        "12345678", "87654321", "11223344", "12341234", "11112222", "12121212", "69696969",
    ]

    /// Straight lines on the phone-style keypad (1 2 3 / 4 5 6 / 7 8 9 / _ 0 _), both
    /// directions, including runs that continue through a second line (147258, 258369).
    static let keypadPatterns: Set<String> = {
        let lines = [
            "2580", "1470", "3690", "1379", "1397", "147258", "258369", "147369", "159357",
            "123789", "147258369", "789456123", "14702580", "25803690", "15937", "1590", "3570",
        ]
        return Set(lines + lines.map { String($0.reversed()) })
    }()

    /// Step-2 runs (2468, 13579 and their reverses): a code that is a 4+ digit slice of one.
    static let stepTwoRuns = ["02468", "13579", "86420", "97531"]
}
