import Foundation
import StreamConvIO
import Synchronization
import Testing

/// libsndfile 1.0.31–1.2.x closes the descriptor handed to `sf_open_fd` when the open fails,
/// even when told not to (libsndfile issues #948, #949): a caller that then closes it too
/// closes whatever descriptor another thread opened under that number in between, and that
/// thread's next read or open fails with EBADF (seen once in CI: "cannot open p.wav:
/// Bad file descriptor" in a test that had done nothing wrong).
@Suite struct DescriptorOwnershipTests {
    final class Counts: Sendable {
        let stop = Atomic<Bool>(false)
        let lost = Atomic<Int>(0)
        let checks = Atomic<Int>(0)
    }

    /// Thousands of refused opens on one thread while another opens, checks and closes its
    /// own file as fast as it can: no descriptor of the other thread is ever closed under it.
    @Test func refusedOpensCloseNoOtherDescriptor() throws {
        let dir = TemporaryFolder()
        defer { dir.cleanup() }
        // A RIFF header libsndfile refuses after sf_open_fd has taken the descriptor.
        try Data("RIFF\u{24}\0\0\0WAVEjunk".utf8 + [UInt8](repeating: 7, count: 64)).write(to: dir.url.appendingPathComponent("bad.wav"))
        try Data(repeating: 1, count: 16).write(to: dir.url.appendingPathComponent("other.bin"))
        let other = dir.path("other.bin")
        let counts = Counts()
        let worker = Thread {
            var st = stat()
            while !counts.stop.load(ordering: .relaxed) {
                let fd = open(other, O_RDONLY)
                guard fd >= 0 else { counts.lost.add(1, ordering: .relaxed); continue }
                if fstat(fd, &st) != 0 || st.st_size != 16 { counts.lost.add(1, ordering: .relaxed) }
                if close(fd) != 0 { counts.lost.add(1, ordering: .relaxed) }
                counts.checks.add(1, ordering: .relaxed)
            }
        }
        worker.start()
        var refused = 0
        for _ in 0..<20_000 {
            do { _ = try SndFileSource(path: dir.path("bad.wav")) } catch { refused += 1 }
        }
        counts.stop.store(true, ordering: .relaxed)
        while !worker.isFinished { usleep(1000) }
        #expect(refused == 20_000)
        #expect(counts.checks.load(ordering: .relaxed) > 1000)
        #expect(counts.lost.load(ordering: .relaxed) == 0, "the other thread's descriptor was closed under it \(counts.lost.load(ordering: .relaxed)) times in \(counts.checks.load(ordering: .relaxed)) checks")
    }
}
