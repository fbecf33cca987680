import Foundation

/// The Erlang C queueing model (M/M/N): how many counters a stream of walk-in citizens needs.
/// With arrivals λ per minute, mean service time S minutes, traffic A = λ·S erlangs and N
/// counters (N > A), the probability that a citizen waits at all is
///
///     C(N, A) = (Aᴺ/N! · N/(N−A)) / (Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N! · N/(N−A))
///
/// and the share called within T minutes is 1 − C(N, A) · e^(−(N−A)·T/S).
public enum ErlangC {
    /// C(N, A), computed with the numerically stable recurrence of the Erlang B formula.
    public static func probabilityOfWaiting(traffic a: Double, counters n: Int) -> Double {
        guard n > 0, a > 0 else { return 0 }
        guard Double(n) > a else { return 1 }
        var erlangB = 1.0
        for k in 1...n { erlangB = a * erlangB / (Double(k) + a * erlangB) }
        return Double(n) * erlangB / (Double(n) - a * (1 - erlangB))
    }

    /// The share of citizens called within `target` minutes.
    public static func serviceLevel(traffic a: Double, counters n: Int, serviceMinutes s: Double, targetMinutes t: Double) -> Double {
        guard a > 0 else { return 1 }
        guard Double(n) > a else { return 0 }
        return 1 - probabilityOfWaiting(traffic: a, counters: n) * exp(-(Double(n) - a) * t / s)
    }

    /// The fewest counters that call at least `share` of citizens within `target` minutes.
    public static func countersNeeded(arrivalsPerHour: Double, serviceMinutes s: Double, targetMinutes t: Double, share: Double) -> Int {
        guard arrivalsPerHour > 0, s > 0 else { return 0 }
        let a = arrivalsPerHour / 60 * s
        var n = max(1, Int(a.rounded(.down)) + 1)
        while serviceLevel(traffic: a, counters: n, serviceMinutes: s, targetMinutes: t) < share && n < 1000 { n += 1 }
        return n
    }
}
