@testable import ConntrackKernel
import Testing

/// The planner tries the TCP filter once other protocols show up, keeps whichever plan
/// cost less per entry, and tries the other one again now and then.
@Suite struct DumpPlannerTests {
    @Test func withoutOtherProtocolsEveryReadIsWhole() {
        var planner = DumpPlanner()
        for _ in 0..<50 {
            #expect(planner.plan() == .whole)
            planner.record(.whole, seconds: 0.5, otherProtocolEntries: 0)
        }
    }

    @Test func keepsTheFilterWhileItIsCheaperAndRetriesTheWholeDump() {
        var planner = DumpPlanner()
        #expect(planner.plan() == .whole)
        planner.record(.whole, seconds: 0.5, otherProtocolEntries: 500)
        #expect(planner.plan() == .tcpPerFamily)
        planner.record(.tcpPerFamily, seconds: 0.3, otherProtocolEntries: 0)
        var plans: [DumpPlan] = []
        for _ in 0...DumpPlanner.retryAfter {
            let plan = planner.plan()
            plans.append(plan)
            planner.record(plan, seconds: plan == .whole ? 0.5 : 0.3, otherProtocolEntries: plan == .whole ? 500 : 0)
        }
        #expect(plans.dropLast() == ArraySlice(repeating: .tcpPerFamily, count: DumpPlanner.retryAfter))
        #expect(plans.last == .whole)
        #expect(planner.plan() == .tcpPerFamily)
    }

    @Test func goesBackToTheWholeDumpWhenTheFilterCostsMore() {
        var planner = DumpPlanner()
        planner.record(.whole, seconds: 0.05, otherProtocolEntries: 10)
        #expect(planner.plan() == .tcpPerFamily)
        // Two walks of a hash table full of other namespaces' entries: the filter loses.
        planner.record(.tcpPerFamily, seconds: 0.09, otherProtocolEntries: 0)
        #expect(planner.plan() == .whole)
    }

    @Test func aWholeReadWithoutOtherProtocolsForgetsTheFilter() {
        var planner = DumpPlanner()
        planner.record(.whole, seconds: 0.5, otherProtocolEntries: 500)
        planner.record(.tcpPerFamily, seconds: 0.3, otherProtocolEntries: 0)
        planner.record(.whole, seconds: 0.5, otherProtocolEntries: 0)
        #expect(planner.plan() == .whole)
    }
}
