import Foundation
import NIOCore
import ServiceDesk
import Testing

@testable import deskd

/// The Open311 multipart parser, fuzzed with seeded mutations of a real post: never a crash,
/// always a clear 400 or the parts (see `FuzzTests` for the library's parsers).
@Suite("Fuzz: Open311 multipart bodies")
struct MultipartFuzzTests {
    @Test("mutated multipart bodies are parsed or refused, never crash")
    func mutated() {
        let seed = Array(
            ("--XyZ\r\nContent-Disposition: form-data; name=\"api_key\"\r\n\r\nsd_key\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"attribute[loai]\"\r\n\r\nden\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"photo1\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
                + "\u{89}PNG\r\n\u{1A}\n0000\r\n--XyZ--\r\n").utf8)
        var state: UInt64 = 7
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let iterations = ProcessInfo.processInfo.environment["DESK_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 3_000
        for _ in 0..<iterations {
            var bytes = seed
            for _ in 0..<(1 + next() % 6) {
                let position = next() % max(bytes.count, 1)
                switch next() % 3 {
                case 0 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: next()), at: position)
                default: if !bytes.isEmpty { bytes.remove(at: position) }
                }
            }
            _ = try? Open311Controller.multipart(ByteBuffer(bytes: bytes), boundary: "XyZ")
        }
    }

    @Test("a non-ASCII byte in a part's header name is a 400, not a crash of the daemon")
    func headerNameByte() throws {
        var bytes = Array("--XyZ\r\nConte".utf8) + [0xA9] + Array("t-Disposition: form-data; name=\"x\"\r\n\r\nv\r\n--XyZ--\r\n".utf8)
        #expect(throws: Problem.self) { try Open311Controller.multipart(ByteBuffer(bytes: bytes), boundary: "XyZ") }
        // A Vietnamese file name in a header value stays welcome.
        bytes = Array("--XyZ\r\nContent-Disposition: form-data; name=\"x\"; filename=\"ảnh.txt\"\r\n\r\nv\r\n--XyZ--\r\n".utf8)
        #expect(throws: DeskError.self) { try Open311Controller.multipart(ByteBuffer(bytes: bytes), boundary: "XyZ") }  // not an image
        bytes = Array("--XyZ\r\nContent-Disposition: form-data; name=\"mô tả\"\r\n\r\nv\r\n--XyZ--\r\n".utf8)
        #expect(try Open311Controller.multipart(ByteBuffer(bytes: bytes), boundary: "XyZ").0.value("mô tả") == "v")
    }
}
