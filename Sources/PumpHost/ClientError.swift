import PumpCore
import PumpProtocol
import SerialTransport

/// Why a `PumpClient` call failed. `description` is one line for users; exit codes for
/// scripts come from `exitCode` (pumpmon: 0 ok, 2 NAK, 3 auth, 4 link, 5 timeout/uncertain).
public enum ClientError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The port could not be opened or configured.
  case open(TransportError)
  /// The port vanished or the device hung up.
  case linkLost(String)
  /// No reply after every retransmission: the request may or may not have run.
  case uncertain(HostRequest)
  /// No HELLO answer (nothing speaking the protocol on this port?).
  case noDevice(String)
  /// The device refused: code, detail, reason.
  case nak(HostRequest, Nak)
  /// Login refused, or the device could not prove it holds the key.
  case authFailed(String)
  /// The host session refused to build the request.
  case session(HostSessionError)

  public var description: String {
    switch self {
    case .open(let e): "cannot open port: \(e)"
    case .linkLost(let why): "link lost: \(why)"
    case .uncertain(let r):
      "no reply to \(r) after retransmissions: it may or may not have been executed"
    case .noDevice(let path): "no KetaPump device answered HELLO on \(path)"
    case .nak(let r, let n):
      "\(r) refused: NAK \(n.code.rawValue) \(n.code.name) (\(n.detail)): \(n.reason)"
    case .authFailed(let why): "authentication failed: \(why)"
    case .session(let e): "cannot send: \(e)"
    }
  }

  /// The process exit status a script should see.
  public var exitCode: Int32 {
    switch self {
    case .nak: 2
    case .authFailed, .session(.noKey), .session(.deviceMismatch), .session(.notLoggedIn): 3
    case .open, .linkLost, .noDevice: 4
    case .uncertain: 5
    case .session: 3
    }
  }
}
