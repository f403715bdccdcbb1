import Testing

/// Every reliability suite runs inside this one, one test at a time: the campaigns start real
/// pumpsim processes and measure timing on a small shared machine, so they must not compete
/// with each other.
@Suite("Reliability under faults (issue #7)", .serialized)
struct Reliability {}
