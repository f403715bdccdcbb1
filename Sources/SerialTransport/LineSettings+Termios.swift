#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension LineSettings {
  /// The termios speed constant for a baud rate, nil if not standard.
  static func speed(forBaud baud: Int) -> speed_t? {
    switch baud {
    case 50: return speed_t(B50)
    case 75: return speed_t(B75)
    case 110: return speed_t(B110)
    case 134: return speed_t(B134)
    case 150: return speed_t(B150)
    case 200: return speed_t(B200)
    case 300: return speed_t(B300)
    case 600: return speed_t(B600)
    case 1200: return speed_t(B1200)
    case 1800: return speed_t(B1800)
    case 2400: return speed_t(B2400)
    case 4800: return speed_t(B4800)
    case 9600: return speed_t(B9600)
    case 19_200: return speed_t(B19200)
    case 38_400: return speed_t(B38400)
    case 57_600: return speed_t(B57600)
    case 115_200: return speed_t(B115200)
    case 230_400: return speed_t(B230400)
    #if os(Linux)
      case 460_800: return speed_t(B460800)
      case 500_000: return speed_t(B500000)
      case 576_000: return speed_t(B576000)
      case 921_600: return speed_t(B921600)
      case 1_000_000: return speed_t(B1000000)
      case 1_152_000: return speed_t(B1152000)
      case 1_500_000: return speed_t(B1500000)
      case 2_000_000: return speed_t(B2000000)
      case 2_500_000: return speed_t(B2500000)
      case 3_000_000: return speed_t(B3000000)
      case 3_500_000: return speed_t(B3500000)
      case 4_000_000: return speed_t(B4000000)
    #endif
    default: return nil
    }
  }

  /// The baud rate for a termios speed constant, nil if unknown.
  static func baud(forSpeed speed: speed_t) -> Int? {
    standardBauds.first { Self.speed(forBaud: $0) == speed }
  }

  /// Raw mode (`cfmakeraw`: no echo, no CR/LF translation, no signals, byte at a time) with
  /// these settings applied. `VMIN = 1, VTIME = 0`: with `O_NONBLOCK` an empty read then fails
  /// with `EAGAIN`, so a read of 0 bytes always means hang-up (with `VMIN = 0` the kernel
  /// returns 0 for "no data" too, and the two cannot be told apart).
  func apply(to t: inout termios) throws(TransportError) {
    try validate()
    guard let speed = Self.speed(forBaud: baud) else { throw .unsupportedBaud(baud) }
    cfmakeraw(&t)
    t.c_cflag &= ~tcflag_t(CSIZE | PARENB | PARODD | CSTOPB)
    #if os(Linux)
      t.c_cflag &= ~tcflag_t(CRTSCTS)
    #endif
    t.c_iflag &= ~tcflag_t(IXON | IXOFF | IXANY | INPCK)
    t.c_cflag |= tcflag_t(CLOCAL | CREAD)
    switch dataBits {
    case 5: t.c_cflag |= tcflag_t(CS5)
    case 6: t.c_cflag |= tcflag_t(CS6)
    case 7: t.c_cflag |= tcflag_t(CS7)
    default: t.c_cflag |= tcflag_t(CS8)
    }
    switch parity {
    case .none: break
    case .even: t.c_cflag |= tcflag_t(PARENB)
    case .odd: t.c_cflag |= tcflag_t(PARENB | PARODD)
    }
    if parity != .none { t.c_iflag |= tcflag_t(INPCK) }
    if stopBits == 2 { t.c_cflag |= tcflag_t(CSTOPB) }
    switch flowControl {
    case .none: break
    case .rtsCts:
      #if os(Linux)
        t.c_cflag |= tcflag_t(CRTSCTS)
      #endif
    case .xonXoff: t.c_iflag |= tcflag_t(IXON | IXOFF)
    }
    withUnsafeMutableBytes(of: &t.c_cc) { cc in
      cc[Int(VMIN)] = 1
      cc[Int(VTIME)] = 0
    }
    cfsetispeed(&t, speed)
    cfsetospeed(&t, speed)
  }

  /// The settings a termios structure actually holds (for "requested vs actual"). An unknown
  /// speed reads back as baud 0.
  init(reading t: termios) {
    let bits: Int
    switch t.c_cflag & tcflag_t(CSIZE) {
    case tcflag_t(CS5): bits = 5
    case tcflag_t(CS6): bits = 6
    case tcflag_t(CS7): bits = 7
    default: bits = 8
    }
    let parity: Parity
    if t.c_cflag & tcflag_t(PARENB) == 0 {
      parity = .none
    } else {
      parity = t.c_cflag & tcflag_t(PARODD) != 0 ? .odd : .even
    }
    var flow = FlowControl.none
    #if os(Linux)
      if t.c_cflag & tcflag_t(CRTSCTS) != 0 { flow = .rtsCts }
    #endif
    if flow == .none, t.c_iflag & tcflag_t(IXON) != 0 { flow = .xonXoff }
    var copy = t
    self.init(
      baud: Self.baud(forSpeed: cfgetospeed(&copy)) ?? 0, dataBits: bits, parity: parity,
      stopBits: t.c_cflag & tcflag_t(CSTOPB) != 0 ? 2 : 1, flowControl: flow)
  }
}
