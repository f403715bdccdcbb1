import PumpProtocol

extension PumpClient {
  /// Reads the simulated patient (`PATIENT`, docs/PROTOCOL.md §4.2.2): nil when the device has
  /// none — `NAK 17 no-patient` from a simulator without `--patient`, or `NAK 02` from a device
  /// that does not know the request (a real pump). Any other NAK throws `.nak`; no reply after
  /// every retransmission throws `.uncertain`. Read-only: it changes nothing on the pump.
  public func patient(timeoutMs: Int64 = 1000) throws(ClientError) -> PatientReadout? {
    let seq = try send(.patient)
    guard let reply = try wait(for: seq, request: .patient, timeoutMs: timeoutMs) else {
      throw .uncertain(.patient)
    }
    switch reply.result {
    case .ack(.patient(let p)): return p
    case .nak(let n) where Self.meansNoPatient(n): return nil
    case .nak(let n): throw .nak(.patient, n)
    case .ack: throw .nak(.patient, Nak(.malformed, reason: "PATIENT answered with another kind"))
    }
  }

  /// True for the refusals that say "this device has no simulated patient" (`NAK 17`, and
  /// `NAK 02` from a device that does not know PATIENT): a host shows nothing, not an error.
  public static func meansNoPatient(_ n: Nak) -> Bool {
    n.code == .noPatient || n.code == .unknownCommand
  }
}
