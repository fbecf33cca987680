import Foundation

/// `POST requests.{json,xml}` turned into an intake (SPEC §7): the ticket on channel `open311`
/// plus what Open311 carries beyond a ticket. Field names in errors are the Open311 parameter
/// names, so a client sees what to fix.
public struct Open311Submission: Sendable {
    public var serviceCode: String
    public var intake: IntakeRequest
    public var extra: Open311Extra

    /// The most a description may hold (GeoReport v2).
    public static let maxDescription = 4000
    /// The name of a submitter who gave none.
    public static let anonymous = "Ẩn danh (Open311)"

    /// Reads and checks everything but the attributes, which need the service's definition.
    public static func parse(_ parameters: Open311Parameters, uploads: [Open311Upload] = []) throws(DeskError) -> Open311Submission {
        var validator = Validator()
        let code = parameters.value("service_code") ?? ""
        validator.check(!code.isEmpty, "service_code", "is required")

        let latText = parameters.value("lat")
        let longText = parameters.value("long")
        var lat: Double?
        var long: Double?
        if let latText {
            lat = Double(latText).flatMap { (-90...90).contains($0) ? $0 : nil }
            validator.check(lat != nil, "lat", "must be a WGS84 latitude in decimal degrees (-90 to 90)")
        }
        if let longText {
            long = Double(longText).flatMap { (-180...180).contains($0) ? $0 : nil }
            validator.check(long != nil, "long", "must be a WGS84 longitude in decimal degrees (-180 to 180)")
        }
        validator.check((latText == nil) == (longText == nil), latText == nil ? "lat" : "long", "lat and long are sent together")
        let address = parameters.value("address_string").map(Text.clean)
        if let address { validator.check(address.unicodeScalars.count <= 500, "address_string", "must be at most 500 characters") }
        let addressId = parameters.value("address_id")
        if let addressId { validator.check(addressId.unicodeScalars.count <= 200, "address_id", "must be at most 200 characters") }
        validator.check(
            latText != nil || longText != nil || address != nil || addressId != nil, "location",
            "is required: lat and long, address_string or address_id")

        let description = Text.clean(parameters.value("description") ?? "")
        validator.check(
            description.count <= maxDescription, "description", "must be at most \(maxDescription) characters (it has \(description.count))"
        )
        let media = parameters.values("media_url")
        for url in media {
            let parsed = URL(string: url)
            validator.check(
                url.count <= 2000 && ["http", "https"].contains(parsed?.scheme?.lowercased() ?? "") && parsed?.host != nil, "media_url",
                "'\(url.prefix(100))' is not an http(s) URL")
        }
        validator.check(uploads.count <= Open311Upload.maxFiles, "media", "at most \(Open311Upload.maxFiles) files per request")
        for name in ["account_id", "device_id", "first_name", "last_name"] {
            if let value = parameters.value(name) {
                validator.check(value.unicodeScalars.count <= 200, name, "must be at most 200 characters")
            }
        }
        try validator.finish()

        let name = [parameters.value("first_name"), parameters.value("last_name")].compactMap { $0 }.joined(separator: " ")
        let applicant = ApplicantDraft(
            name: name.isEmpty ? anonymous : name, phone: parameters.value("phone"), email: parameters.value("email"))
        let location = Location(address: address, lat: lat, long: long)
        let intake = IntakeRequest(
            service: code, channel: Ticket.Channel.open311.rawValue, applicant: applicant, description: description,
            location: location.address == nil && location.lat == nil ? nil : location)
        let extra = Open311Extra(
            addressId: addressId, mediaURLs: media, attributes: parameters.attributes, accountId: parameters.value("account_id"),
            deviceId: parameters.value("device_id") ?? parameters.value("deviceid"), uploads: uploads)
        return Open311Submission(serviceCode: code, intake: intake, extra: extra)
    }

    /// The intake's field names as the Open311 parameters a client sent.
    public static func parameterName(of field: String) -> String {
        switch field {
        case "applicant.phone": "phone"
        case "applicant.email": "email"
        case "applicant.name": "first_name"
        case "location.lat": "lat"
        case "location.long": "long"
        case "location.address": "address_string"
        case "service": "service_code"
        default: field
        }
    }
}

/// What an Open311 request carries beyond a ticket; stored in the intake's transaction.
public struct Open311Extra: Sendable {
    public var addressId: String?
    public var mediaURLs: [String]
    /// As posted, per attribute code; checked against the service by `checkedAttributes`.
    public var attributes: [String: [String]]
    public var accountId: String?
    public var deviceId: String?
    /// Photos sent as multipart file parts.
    public var uploads: [Open311Upload] = []

    /// The posted attributes checked against the service's definition: every required one
    /// present, values of the right datatype, list keys among the values, no unknown code.
    func checkedAttributes(for service: Service) throws(DeskError) -> [String: [String]] {
        var validator = Validator()
        var result: [String: [String]] = [:]
        let known = Set(service.attributes.map(\.code))
        for code in attributes.keys.sorted() where !known.contains(code) {
            validator.add("attribute[\(code)]", "service \(service.code) has no attribute '\(code)'")
        }
        for attribute in service.attributes.sorted(by: { $0.order < $1.order }) {
            if let values = attribute.checked(attributes[attribute.code] ?? [], into: &validator) {
                result[attribute.code] = values
            }
        }
        try validator.finish()
        return result
    }
}
