import PumpCore

/// Everything a host can ask of a device (docs/PROTOCOL.md §4). Each request travels in one
/// frame with the host's sequence number and gets exactly one ACK or NAK.
public enum HostRequest: Hashable, Sendable, CustomStringConvertible {
  /// `HELLO,seq,<M.m>`: announce the host's protocol version; reply carries `DeviceInfo`.
  case hello(ProtocolVersion)
  /// `PING,seq`: heartbeat (MAC'd inside a session, which keeps it alive).
  case ping
  /// `LOGIN,seq,<role>,<host nonce: 32 hex>`: start a challenge-response login.
  case login(Role, hostNonce: [UInt8])
  /// `AUTH,seq,<host proof: 32 hex>`: complete the login.
  case auth(proof: [UInt8])
  /// `LOGOUT,seq` (MAC'd): end the session.
  case logout
  /// `TLMRATE,seq,<Hz>` 0…100 (0 = off): telemetry rate.
  case setTelemetry(hertz: Int)
  /// `TLMRATE,seq,<Hz>,TLC` 0…100: telemetry rate with compact `TLC` frames between full `TLM`
  /// keyframes (docs/PROTOCOL.md §4.5.1). `TLMRATE,seq,<Hz>,TLM` reads as `setTelemetry`.
  case setCompactTelemetry(hertz: Int)
  /// `STATUS,seq`: one telemetry snapshot as the reply.
  case status
  /// `ALARMS,seq,<offset>` 0…99: page of active alarms starting at `offset`.
  case alarms(offset: Int)
  /// `LOG,seq,<back>` 0…99999: one log entry, 0 = newest.
  case logTail(back: Int)
  /// `VERSION,seq`.
  case version
  /// `COUNTERS,seq`: link error counters.
  case counters
  /// `PATIENT,seq`: the simulated patient's state (simulator only, read-only, never an input;
  /// `NAK 17` when the simulator has no patient).
  case patient
  /// `AUDIT,seq,<back>` 0…99999 (clinician, service): one record of the non-volatile audit
  /// trail, 0 = newest.
  case audit(back: Int)
  /// `PROGRAM,seq,<15 Prescription fields>` (clinician).
  case program(Prescription)
  /// `CONFIRM,seq`: confirm soft-limit violations (clinician).
  case confirmSoftLimits
  /// `START,seq` (clinician).
  case start
  /// `PAUSE,seq` (any authenticated role).
  case pause
  /// `RESUME,seq` (clinician).
  case resume
  /// `STOP,seq` (any authenticated role).
  case stop
  /// `RATE,seq,<µg/h>` 0…999999999 (clinician).
  case changeBasalRate(MicrogramsPerHour)
  /// `BOLUS,seq` (patient).
  case patientBolus
  /// `CBOLUS,seq,<µg>` 1…999999999 (clinician).
  case clinicianBolus(Micrograms)
  /// `VITALS,seq,<SBP>,<DBP>,<HR>,<SpO2>,<RR>`, each 0…999 or empty, at least one (vitals).
  case vitals(VitalsSample)
  /// `ACKALM,seq` (clinician).
  case acknowledgeAlarms
  /// `SILENCE,seq` (clinician).
  case audioPause
  /// `RESET,seq`: clinician reset after an interlock stop.
  case clinicianReset
  /// `INJECT,seq,<target>,<value>` (service).
  case inject(Injection)
  /// `CLOCK,seq,<ADVANCE|MODE>,<value>` (service).
  case clock(ClockControl)

  /// The wire kind.
  public var kind: RequestKind {
    switch self {
    case .hello: .hello
    case .ping: .ping
    case .login: .login
    case .auth: .auth
    case .logout: .logout
    case .setTelemetry, .setCompactTelemetry: .setTelemetry
    case .status: .status
    case .alarms: .alarms
    case .logTail: .log
    case .version: .version
    case .counters: .counters
    case .patient: .patient
    case .audit: .audit
    case .program: .program
    case .confirmSoftLimits: .confirm
    case .start: .start
    case .pause: .pause
    case .resume: .resume
    case .stop: .stop
    case .changeBasalRate: .changeRate
    case .patientBolus: .patientBolus
    case .clinicianBolus: .clinicianBolus
    case .vitals: .vitals
    case .acknowledgeAlarms: .acknowledge
    case .audioPause: .audioPause
    case .clinicianReset: .reset
    case .inject: .inject
    case .clock: .clock
    }
  }

  /// The controller event this request stands for, when it maps one-to-one to a `PumpEvent`
  /// (link, query, injection and clock requests return nil: the firmware handles those).
  /// Inlinable: for a request built with its case known (offline replay's samples and presses)
  /// the mapping folds to the event, with no request made and destroyed.
  @inlinable public var pumpEvent: PumpEvent? {
    switch self {
    case .program(let p): .program(p)
    case .confirmSoftLimits: .confirmSoftLimits
    case .start: .start
    case .pause: .pause
    case .resume: .resume
    case .stop: .stop
    case .changeBasalRate(let r): .changeBasalRate(r)
    case .patientBolus: .patientBolusRequest
    case .clinicianBolus(let d): .clinicianBolus(d)
    case .vitals(let v): .vitals(v)
    case .acknowledgeAlarms: .acknowledgeAlarms
    case .audioPause: .audioPause
    case .clinicianReset: .clinicianReset
    default: nil
    }
  }

  /// Kind only for requests carrying secrets (login proofs are redacted).
  public var description: String {
    switch self {
    case .auth: "AUTH(<proof>)"
    case .login(let r, _): "LOGIN(\(r.rawValue))"
    default: kind.rawValue
    }
  }
}
