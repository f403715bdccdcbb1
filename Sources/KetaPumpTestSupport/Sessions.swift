import PumpHost
import PumpProtocol

/// One logged-in client: opens `port`, HELLO, login as `role` with its key from `keys`, runs
/// `body`, closes.
@discardableResult
public func session<T>(
  _ role: Role, _ keys: Keys, port: String, _ body: (PumpClient) throws -> T
) throws -> T {
  let c = try PumpClient.open(path: port, key: try keys.key(role))
  defer { c.close() }
  try c.hello()
  try c.login()
  return try body(c)
}

/// STATUS as an observer (no login).
public func status(port: String) throws -> Telemetry {
  let c = try PumpClient.open(path: port)
  defer { c.close() }
  try c.hello()
  guard case .ack(.status(let t)) = try c.request(.status).result else {
    throw TestFailure("STATUS was not answered with telemetry")
  }
  return t
}
