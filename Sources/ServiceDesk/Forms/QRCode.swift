import CQRencode

/// A QR code (ISO/IEC 18004) made by Debian's libqrencode, drawn as an SVG for the printed
/// forms: one path of dark modules inside the four-module quiet zone the standard asks for.
public struct QRCode: Equatable, Sendable {
    /// Modules per side.
    public let width: Int
    /// Row-major, `true` for a dark module.
    public let modules: [Bool]

    /// Encodes `text` as 8-bit bytes at error-correction level M (15 %: a receipt folded into a
    /// pocket still scans); nil if libqrencode refuses (text longer than a version-40 symbol).
    public init?(_ text: String) {
        guard let code = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M) else { return nil }
        defer { QRcode_free(code) }
        let width = Int(code.pointee.width)
        // Bit 0 of each byte is the module's colour (qrencode.h, "Result").
        modules = (0..<(width * width)).map { code.pointee.data[$0] & 1 == 1 }
        self.width = width
    }

    public func isDark(row: Int, column: Int) -> Bool { modules[row * width + column] }

    /// An SVG of `millimetres` per side, crisp at any printer resolution.
    public func svg(millimetres: Int, title: String) -> String {
        let side = width + 8
        var path = ""
        for row in 0..<width {
            var column = 0
            while column < width {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                var run = 1
                while column + run < width && isDark(row: row, column: column + run) { run += 1 }
                path += "M\(column + 4) \(row + 4)h\(run)v1h-\(run)z"
                column += run
            }
        }
        let size = "\(millimetres)mm"
        return """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(size)" height="\(size)" viewBox="0 0 \(side) \(side)" \
            shape-rendering="crispEdges" role="img"><title>\(title)</title><rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path d="\(path)" fill="#000"/></svg>
            """
    }
}
