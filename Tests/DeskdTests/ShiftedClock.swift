import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The wall clock of a daemon moved to another moment, its monotonic clocks left alone.
///
/// `Tests/Fixtures/realtime-shift.c` is an `LD_PRELOAD` shim that shifts `CLOCK_REALTIME`, `gettimeofday`, `time` and
/// `timespec_get` only, so the real `deskd` can run "on Monday morning" while SwiftNIO's timers (monotonic) keep working,
/// which libfaketime breaks. It is compiled once per test process, on first use, with the system C compiler.
enum ShiftedClock {
    /// Environment that starts a child process's wall clock at `instant` (whole seconds) and lets it run on from there;
    /// pass it as `RunningDaemon(..., environment:)`. Each process started with it begins at `instant` again.
    static func environment(startingAt instant: Date) throws -> [String: String] {
        let library = try library.get()
        let preload = ProcessInfo.processInfo.environment["LD_PRELOAD"].map { "\(library):\($0)" } ?? library
        return ["LD_PRELOAD": preload, "DESK_TEST_REALTIME_START": String(Int64(instant.timeIntervalSince1970.rounded(.down)))]
    }

    struct CompileError: Error, CustomStringConvertible {
        var description: String
    }

    /// Swift runs a `static let` initialiser once, thread-safely, so parallel tests share one compilation (or its error).
    private static let library: Result<String, any Error> = Result { try compile() }

    private static func compile() throws -> String {
        #if os(Linux)
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Fixtures/realtime-shift.c")
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw CompileError(description: "realtime shim source not found at \(source.path)")
            }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // Unlinking a library that running daemons still map is harmless on Linux.
            atexit { try? FileManager.default.removeItem(at: ShiftedClock.directory) }
            let output = directory.appendingPathComponent("libshift.so")

            let process = Process()
            let arguments = ["-shared", "-fPIC", "-O2", "-o", output.path, source.path, "-ldl", "-lpthread"]
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/cc") {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
                process.arguments = arguments
            } else {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["cc"] + arguments
            }
            let messages = Pipe()
            process.standardOutput = messages
            process.standardError = messages
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // Drain before waiting: a chatty compiler could otherwise fill the pipe and never exit.
            let text = String(decoding: messages.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0, FileManager.default.fileExists(atPath: output.path) else {
                throw CompileError(description: "cc failed (status \(process.terminationStatus)) compiling \(source.path):\n\(text)")
            }
            return output.path
        #else
            throw CompileError(description: "the LD_PRELOAD realtime shim only works on Linux")
        #endif
    }

    #if os(Linux)
        /// Per process, so parallel test runs never overwrite a library another one is loading.
        private static var directory: URL {
            FileManager.default.temporaryDirectory.appendingPathComponent("deskd-realtime-shift-\(getpid())")
        }
    #endif
}
