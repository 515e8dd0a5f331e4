@testable import HTTPServer
import Synchronization
import Testing

@Suite struct ResponderTests {
    @Test func answersOnceAndNeverAfterACancellation() {
        let delivered = Mutex(0)
        let responder = Responder { _ in delivered.withLock { $0 += 1 } }
        responder.respond(.error(.ok))
        responder.respond(.error(.ok))
        #expect(delivered.withLock { $0 } == 1)
        let cancelled = Responder { _ in delivered.withLock { $0 += 1 } }
        cancelled.cancel()
        cancelled.respond(.error(.ok))
        #expect(delivered.withLock { $0 } == 1)
        #expect(cancelled.isCancelled && !responder.isCancelled)
    }

    @Test func cancellationRunsWhatWasRegisteredOnceAndLateRegistrationsAtOnce() {
        let runs = Mutex(0)
        let responder = Responder { _ in }
        responder.onCancel { runs.withLock { $0 += 1 } }
        responder.cancel()
        responder.cancel()
        #expect(runs.withLock { $0 } == 1)
        responder.onCancel { runs.withLock { $0 += 1 } }
        #expect(runs.withLock { $0 } == 2)
    }

    @Test func anAnsweredRequestIsNeverCancelled() {
        let runs = Mutex(0)
        let responder = Responder { _ in }
        responder.onCancel { runs.withLock { $0 += 1 } }
        responder.respond(.error(.ok))
        responder.cancel()
        #expect(runs.withLock { $0 } == 0 && !responder.isCancelled)
    }

    @Test func aMappedResponderTransformsAndFollowsTheCancellation() {
        let status = Mutex<HTTPStatus?>(nil)
        let responder = Responder { response in status.withLock { $0 = response.status } }
        let mapped = responder.map { _ in .error(.notFound) }
        mapped.respond(.error(.ok))
        #expect(status.withLock { $0 } == .notFound)
        let other = Responder { _ in }
        let child = other.map { $0 }
        other.cancel()
        #expect(child.isCancelled)
    }
}
