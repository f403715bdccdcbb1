/// ALARMS reply: `ACK,seq,ALARMS,<total 0…99>,<offset 0…99>,<items>` with up to 8 items.
public struct AlarmPage: Hashable, Sendable {
  public var total: Int
  public var offset: Int
  public var alarms: [AlarmStatus]

  /// Items per page.
  public static let pageSize = 8

  public init(total: Int, offset: Int, alarms: [AlarmStatus]) {
    self.total = total
    self.offset = offset
    self.alarms = Array(alarms.prefix(Self.pageSize))
  }

  /// The page of `all` starting at `offset`.
  public init(all: [AlarmStatus], offset: Int) {
    let start = min(max(offset, 0), all.count)
    self.init(total: all.count, offset: start, alarms: Array(all[start...]))
  }
}
