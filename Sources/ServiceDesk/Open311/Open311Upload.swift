import Foundation

/// A photo uploaded with an Open311 request (a multipart file part). Its type is read from its
/// bytes — what the client claims is ignored — and only images are kept, so what `deskd` serves
/// back at `/open311/v2/media/{token}` is never a page or a script.
public struct Open311Upload: Sendable {
    public static let maxBytes = 8 * 1024 * 1024
    public static let maxFiles = 10

    /// The form field it came in (`photo1`, `file_0`, `media`).
    public var part: String
    public var filename: String?
    public var contentType: String
    public var bytes: Data

    /// The upload, or a 400-class validation error naming the part.
    public static func make(part: String, filename: String?, bytes: Data) throws(DeskError) -> Open311Upload {
        guard !bytes.isEmpty else { throw DeskError.validation([FieldError(part, "the file is empty")]) }
        guard bytes.count <= maxBytes else {
            throw DeskError.validation([FieldError(part, "the file is \(bytes.count) bytes; at most \(maxBytes) are kept")])
        }
        guard let type = imageType(of: bytes) else {
            throw DeskError.validation([FieldError(part, "is not a JPEG, PNG, GIF or WebP image; send other media as media_url")])
        }
        return Open311Upload(part: part, filename: Text.clean(filename.map { String($0.suffix(200)) }), contentType: type, bytes: bytes)
    }

    /// The image type by its signature, or nil.
    static func imageType(of bytes: Data) -> String? {
        let head = [UInt8](bytes.prefix(12))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return "image/gif" }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return "image/webp" }
        return nil
    }
}
