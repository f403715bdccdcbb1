import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

extension VirtualSerialPort {
  /// openpty, raw mode on the master (applies to the slave), master non-blocking, slave closed.
  static func openRawPty(settings: LineSettings) throws(TransportError) -> (Int32, String) {
    var master: Int32 = -1
    var slave: Int32 = -1
    var name = [CChar](repeating: 0, count: 128)
    guard openpty(&master, &slave, &name, nil, nil) == 0 else {
      throw .ptyUnavailable(Errno(rawValue: errno))
    }
    let pts = String(
      decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { Glibc.close(slave) }
    var t = termios()
    do throws(TransportError) {
      guard tcgetattr(master, &t) == 0 else { throw .termios(path: pts, .init(rawValue: errno)) }
      try settings.apply(to: &t)
      guard tcsetattr(master, TCSANOW, &t) == 0 else {
        throw .termios(path: pts, .init(rawValue: errno))
      }
      guard TTYDescriptor(fd: master).makeNonBlocking() else {
        throw .termios(path: pts, .init(rawValue: errno))
      }
    } catch {
      Glibc.close(master)
      throw error
    }
    return (master, pts)
  }
}
