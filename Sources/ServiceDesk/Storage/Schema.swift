/// The numbered migrations of `schema/`, embedded in the binary at build time (SwiftPM's
/// `embedInCode` through the `Storage/schema` symlink), so the daemon never looks for files
/// at run time. A new `schema/NNNN_*.sql` must be listed here too; a test compares this
/// list with the folder and fails when they differ.
public enum Schema {
    public struct Migration: Sendable {
        /// The file name without `.sql`, e.g. `0001_foundation`; GRDB records it once applied.
        public let name: String
        public let sql: String
    }

    public static let migrations: [Migration] = [
        Migration(name: "0001_foundation", sql: String(decoding: PackageResources._001_foundation_sql, as: UTF8.self)),
        Migration(name: "0002_tickets", sql: String(decoding: PackageResources._002_tickets_sql, as: UTF8.self)),
        Migration(name: "0003_hall", sql: String(decoding: PackageResources._003_hall_sql, as: UTF8.self)),
        Migration(name: "0004_durations", sql: String(decoding: PackageResources._004_durations_sql, as: UTF8.self)),
        Migration(name: "0005_open311", sql: String(decoding: PackageResources._005_open311_sql, as: UTF8.self)),
        Migration(name: "0006_charge_totals", sql: String(decoding: PackageResources._006_charge_totals_sql, as: UTF8.self)),
        Migration(name: "0007_open311_media", sql: String(decoding: PackageResources._007_open311_media_sql, as: UTF8.self)),
        Migration(name: "0008_rules_core", sql: String(decoding: PackageResources._008_rules_core_sql, as: UTF8.self)),
        Migration(name: "0009_token_scope", sql: String(decoding: PackageResources._009_token_scope_sql, as: UTF8.self)),
        Migration(name: "0010_event_notes", sql: String(decoding: PackageResources._010_event_notes_sql, as: UTF8.self)),
        Migration(name: "0011_forms", sql: String(decoding: PackageResources._011_forms_sql, as: UTF8.self)),
        Migration(name: "0012_book_and_seals", sql: String(decoding: PackageResources._012_book_and_seals_sql, as: UTF8.self)),
        Migration(name: "0013_staffing", sql: String(decoding: PackageResources._013_staffing_sql, as: UTF8.self)),
        Migration(name: "0014_desk_backup", sql: String(decoding: PackageResources._014_desk_backup_sql, as: UTF8.self)),
        Migration(name: "0015_outbox", sql: String(decoding: PackageResources._015_outbox_sql, as: UTF8.self)),
        Migration(name: "0016_hotline", sql: String(decoding: PackageResources._016_hotline_sql, as: UTF8.self)),
        Migration(name: "0017_progress", sql: String(decoding: PackageResources._017_progress_sql, as: UTF8.self)),
        Migration(name: "0018_feedback_flow", sql: String(decoding: PackageResources._018_feedback_flow_sql, as: UTF8.self)),
        Migration(name: "0019_payments", sql: String(decoding: PackageResources._019_payments_sql, as: UTF8.self)),
        Migration(name: "0020_portal_sync", sql: String(decoding: PackageResources._020_portal_sync_sql, as: UTF8.self)),
        Migration(name: "0021_online_reception", sql: String(decoding: PackageResources._021_online_reception_sql, as: UTF8.self)),
        Migration(
            name: "0022_dossier_components", sql: String(decoding: PackageResources._022_dossier_components_sql, as: UTF8.self)),
        Migration(name: "0023_portal_webhook", sql: String(decoding: PackageResources._023_portal_webhook_sql, as: UTF8.self)),
        Migration(
            name: "0024_catalogue_generation", sql: String(decoding: PackageResources._024_catalogue_generation_sql, as: UTF8.self)),
        Migration(name: "0025_report_indexes", sql: String(decoding: PackageResources._025_report_indexes_sql, as: UTF8.self)),
        Migration(name: "0026_report_rollups", sql: String(decoding: PackageResources._026_report_rollups_sql, as: UTF8.self)),
        Migration(name: "0027_progress_rollups", sql: String(decoding: PackageResources._027_progress_rollups_sql, as: UTF8.self)),
        Migration(name: "0028_intake_reports", sql: String(decoding: PackageResources._028_intake_reports_sql, as: UTF8.self)),
        Migration(name: "0029_payment_cover", sql: String(decoding: PackageResources._029_payment_cover_sql, as: UTF8.self)),
        Migration(name: "0030_hall_reports", sql: String(decoding: PackageResources._030_hall_reports_sql, as: UTF8.self)),
        Migration(name: "0031_satisfaction_rollups", sql: String(decoding: PackageResources._031_satisfaction_rollups_sql, as: UTF8.self)),
        Migration(name: "0032_online_rollups", sql: String(decoding: PackageResources._032_online_rollups_sql, as: UTF8.self)),
        Migration(name: "0033_revenue_rollups", sql: String(decoding: PackageResources._033_revenue_rollups_sql, as: UTF8.self)),
        Migration(name: "0034_rollup_lookups", sql: String(decoding: PackageResources._034_rollup_lookups_sql, as: UTF8.self)),
        Migration(name: "0035_queue_open", sql: String(decoding: PackageResources._035_queue_open_sql, as: UTF8.self)),
        Migration(
            name: "0036_queue_waiting_order", sql: String(decoding: PackageResources._036_queue_waiting_order_sql, as: UTF8.self)),
        Migration(
            name: "0037_no_temporary_lists", sql: String(decoding: PackageResources._037_no_temporary_lists_sql, as: UTF8.self)),
        Migration(
            name: "0038_lighter_ticket_insert", sql: String(decoding: PackageResources._038_lighter_ticket_insert_sql, as: UTF8.self)),
        Migration(
            name: "0039_rare_insert_rollups", sql: String(decoding: PackageResources._039_rare_insert_rollups_sql, as: UTF8.self)),
    ]

    /// The PostgreSQL migrations of `schema/postgres/` (issue 18): the same model for a centre
    /// on a database server, applied by `deskcli db migrate --database postgres://…`. SwiftPM
    /// names embedded files by their name alone, so a file here must not share one with a SQLite
    /// migration (the build says so).
    public static let postgres: [Migration] = [
        Migration(name: "0001_model", sql: String(decoding: PackageResources._001_model_sql, as: UTF8.self)),
        Migration(name: "0002_rollup_triggers", sql: String(decoding: PackageResources._002_rollup_triggers_sql, as: UTF8.self)),
        Migration(name: "0003_sqlite_functions", sql: String(decoding: PackageResources._003_sqlite_functions_sql, as: UTF8.self)),
        Migration(
            name: "0004_search_words_and_scalars",
            sql: String(decoding: PackageResources._004_search_words_and_scalars_sql, as: UTF8.self)),
        Migration(
            name: "0005_calendar_generation", sql: String(decoding: PackageResources._005_calendar_generation_sql, as: UTF8.self)),
        Migration(name: "0006_rate_windows", sql: String(decoding: PackageResources._006_rate_windows_sql, as: UTF8.self)),
    ]
}
