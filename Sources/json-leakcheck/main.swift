// Exercises every path that owns json-c memory (parse success, each kind of parse
// failure, serialization success and refusal) so valgrind can see a reference that is
// never put. scripts/json-leakcheck.sh runs it; it prints one summary line.
import JSON

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 3000

let documents: [String] = [
    #"{"action":"unlock","slot":3,"pin":"123456","meta":{"tags":["a","b"],"ratio":0.1}}"#,
    #"[1,2.5,-3e4,true,false,null,"é😀","a/b","\u0000"]"#,
    #"{"b":1,"a":2,"b":3}"#,
    "null", "12", "\"text\"", "[[[[[[]]]]]]", "{}",
    // Rejected ones: json-c fails, json-c succeeds and the scanner or walk rejects, limits.
    "{'a':1}", "[1,NaN]", "1e400", "99999999999999999999", "[1] x", "[1,", "\"a\tb\"",
    "{\"a\\u0000b\":1}", String(repeating: "[", count: 40), "{\"a\":[1,2,{\"b\":tru}]}",
    String(repeating: "[", count: 17) + String(repeating: "]", count: 17), "",
]
let payloads = documents.map { Array($0.utf8) } + [[0x22, 0xED, 0xA0, 0x80, 0x22], [0x7B, 0xFF]]

let built: [JSONValue] = [
    ["z": 1, "a": [1.5, "x", nil, ["k": true]], "s": "q\"\\/"],
    .double(.nan),
    ["battery": ["level": .double(.infinity)]],
    ["a\u{0}b": 1],
    .array((0..<50).map { .int(Int64($0)) }),
]

var accepted = 0
var rejected = 0
var bytesOut = 0
for _ in 0..<iterations {
    for payload in payloads {
        if let value = try? JSON.parse(payload) {
            accepted += 1
            bytesOut += (try? value.serializedBytes())?.count ?? 0
        } else {
            rejected += 1
        }
    }
    for value in built {
        if let text = try? value.serialized() { bytesOut += text.utf8.count } else { rejected += 1 }
    }
    if let object = try? JSON.parseObject(payloads[0]), let slot = try? object.int("slot") {
        accepted += slot > 0 ? 1 : 0
    }
}
print("json-leakcheck: \(iterations) iterations, \(accepted) accepted, \(rejected) rejected, \(bytesOut) bytes written")
