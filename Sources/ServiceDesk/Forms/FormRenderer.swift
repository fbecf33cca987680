import Crypto
import Foundation
import Mustache

/// Renders the forms from their templates (`Forms/Templates`, swift-mustache, HTML escaping on):
/// print-ready HTML with `@page` CSS, one A5 page for a slip, A4 for the control sheet.
public enum FormRenderer {
    /// The templates, compiled once: a layout with the national header (Decree 30/2020
    /// Phụ lục I), the applicant block, and one template per form.
    static let library: Result<MustacheLibrary, any Error> = Result {
        var library = MustacheLibrary()
        let sources: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("applicant", PackageResources.applicant_mustache),
            ("01", PackageResources.form01_mustache), ("02", PackageResources.form02_mustache),
            ("03", PackageResources.form03_mustache), ("04", PackageResources.form04_mustache),
            ("05", PackageResources.form05_mustache), ("06", PackageResources.form06_mustache),
            ("07", PackageResources.form07_mustache),
        ]
        for (name, bytes) in sources { try library.register(String(decoding: bytes, as: UTF8.self), named: name) }
        return library
    }

    /// The CSP source of the forms' one inline stylesheet (`'sha256-…'`): the same for every
    /// form, so a page that prints them (the counter console) allows exactly it.
    public static let styleHash: String = {
        let layout = String(decoding: PackageResources.layout_mustache, as: UTF8.self)
        // The template always has its stylesheet (a test reads it back from every form).
        guard let open = layout.range(of: "<style>"), let close = layout.range(of: "</style>") else { return "" }
        let style = layout[open.upperBound..<close.lowerBound]
        return "sha256-" + Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
    }()

    /// Form 07, *Sổ theo dõi hồ sơ*: kept per field and year, not per dossier.
    public static let trackingBookTitle = "SỔ THEO DÕI HỒ SƠ"

    /// The form's HTML; a template that does not parse (a build defect the tests catch) throws.
    public static func render(_ form: FormKind, _ values: [String: Any]) throws -> String {
        try render(template: form.rawValue, values)
    }

    static func render(template: String, _ values: [String: Any]) throws -> String {
        var values = values
        // The paper is a class of the body and a named page of the one, constant stylesheet
        // (A5 slips with narrower margins to stay one page; the book A4 landscape).
        values["paperClass"] =
            switch values["paper"] as? String {
            case "A5": "A5"
            case "A4 landscape": "A4L"
            default: "A4"
            }
        guard let html = try library.get().render(values, withTemplate: template) else {
            throw DeskError.conflict("the template of form \(template) is missing")
        }
        return html
    }
}
