/// Every host request kind. Wire value: the raw value (the frame's kind field).
public enum RequestKind: String, Hashable, Sendable, CaseIterable {
  case hello = "HELLO"
  case ping = "PING"
  case login = "LOGIN"
  case auth = "AUTH"
  case logout = "LOGOUT"
  case setTelemetry = "TLMRATE"
  case status = "STATUS"
  case alarms = "ALARMS"
  case log = "LOG"
  case version = "VERSION"
  case counters = "COUNTERS"
  /// Simulator only: the simulated patient's state (docs/PROTOCOL.md §4.2.2).
  case patient = "PATIENT"
  case audit = "AUDIT"
  case program = "PROGRAM"
  case confirm = "CONFIRM"
  case start = "START"
  case pause = "PAUSE"
  case resume = "RESUME"
  case stop = "STOP"
  case changeRate = "RATE"
  case patientBolus = "BOLUS"
  case clinicianBolus = "CBOLUS"
  case vitals = "VITALS"
  case acknowledge = "ACKALM"
  case audioPause = "SILENCE"
  case reset = "RESET"
  case inject = "INJECT"
  case clock = "CLOCK"

  /// The permission table: nothing but clinician can start or increase delivery; pause and
  /// stop (which only reduce delivery) are open to every authenticated role.
  public var permission: Permission {
    switch self {
    case .hello, .ping, .login, .auth, .logout: .link
    case .status, .alarms, .log, .version, .counters, .patient: .readOnly
    case .pause, .stop, .setTelemetry: .anyAuthenticated
    case .program, .confirm, .start, .resume, .changeRate, .clinicianBolus, .acknowledge,
      .audioPause, .reset:
      .roles([.clinician])
    case .patientBolus: .roles([.patient])
    case .vitals: .roles([.vitals])
    case .inject, .clock: .roles([.service])
    case .audit: .roles([.clinician, .service])
    }
  }
}
