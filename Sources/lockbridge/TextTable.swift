import Foundation
/// Column-aligned text for people: a header row, then one row per item, columns padded to fit.
struct TextTable {
    let headers: [String]
    private(set) var rows: [[String]] = []

    init(_ headers: [String]) { self.headers = headers }
    init(_ headers: String...) { self.init(headers) }

    mutating func add(_ cells: [String]) { rows.append(cells) }
    mutating func add(_ cells: String...) { add(cells) }

    var rendered: String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
