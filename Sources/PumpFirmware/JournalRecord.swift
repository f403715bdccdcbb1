import PumpCore
import PumpProtocol

/// One journal line (docs/FIRMWARE.md "Journal"). Every record is a protocol-style frame,
/// `$J?,<record seq>,...*CRC` + CR LF: readable with `cat`, checked with CRC-16/CCITT-FALSE, and
/// numbered so a missing record is detected.
public enum JournalRecord: Hashable, Sendable {
  /// `JH,0,<format>,<device id>,<key fingerprint>,<profile id>,<profile sha-256 prefix>,
  /// <drug library sha-256 prefix>`: what this journal belongs to. Always the first record.
  case header(JournalHeader)
  /// `JB,<seq>,<t ms>,<lost at ms or empty>,<wall ms>`: power-on at virtual time `t`; after the
  /// first, with the instant power was lost.
  case boot(at: Milliseconds, lostAt: Milliseconds?, wallMillis: Int64)
  /// `JI,<seq>,<t ms>,<R|L|F|S>,...`: an input applied at `t`.
  case input(at: Milliseconds, FirmwareInput)

  /// The frame for this record with record number `seq`.
  public func frame(seq: UInt32) throws(JournalError) -> [UInt8] {
    var w: FieldWriter
    switch self {
    case .header(let h):
      w = FieldWriter(kind: "JH", seq: seq)
      w.int(Int64(JournalHeader.format))
      w.text(h.deviceId, maxLength: 40)
      w.text(h.keyFingerprint, maxLength: 16)
      w.text(h.profileId, maxLength: 40)
      w.text(h.profileDigest, maxLength: 16)
      w.text(h.drugLibraryDigest, maxLength: 16)
    case .boot(let t, let lost, let wall):
      w = FieldWriter(kind: "JB", seq: seq)
      w.int(t.rawValue)
      w.optionalInt(lost?.rawValue)
      w.int(wall)
    case .input(let t, let input):
      w = FieldWriter(kind: "JI", seq: seq)
      w.int(t.rawValue)
      switch input {
      case .request(let r):
        w.text("R")
        w.text(r.kind.rawValue)
        r.encodeFields(into: &w)
      case .hostLink(let c):
        w.text("L")
        w.bool(c)
      case .linkSecurity(let a):
        w.text("X")
        w.bool(a)
      case .fault(let f):
        w.text("F")
        w.int(Int64(f.rawValue))
      case .selfTest(let p):
        w.text("S")
        w.bool(p)
      }
    }
    do {
      return try FrameEncoder.frame(body: w.bytes)
    } catch {
      throw .recordTooLong(seq: seq)
    }
  }

  /// Parses one frame body (`J?,seq,...`); `line` is for messages.
  public static func parse(_ body: FrameBody, line: Int) throws(JournalError) -> (
    seq: UInt32, record: JournalRecord
  ) {
    let f: ParsedFrame
    do { f = try ParsedFrame(body) } catch { throw .corrupt(line: line, "unreadable record") }
    var r = FieldReader(f.fields)
    do {
      switch f.kind {
      case "JH":
        let format = try r.int("format", 0...999)
        guard format == Int64(JournalHeader.format) else {
          throw JournalError.corrupt(line: line, "journal format \(format), expected 1")
        }
        let h = JournalHeader(
          deviceId: String(try r.next("device")), keyFingerprint: String(try r.next("key")),
          profileId: String(try r.next("profile")),
          profileDigest: String(try r.next("profile digest")),
          drugLibraryDigest: String(try r.next("library digest")))
        try r.end()
        return (f.seq, .header(h))
      case "JB":
        let t = try r.int("t", 0...Int64.max / 4)
        let lost = try r.optionalInt("lost", 0...Int64.max / 4)
        let wall = try r.int("wall", 0...Int64.max / 4)
        try r.end()
        return (
          f.seq, .boot(at: Milliseconds(t), lostAt: lost.map { Milliseconds($0) }, wallMillis: wall)
        )
      case "JI":
        let t = Milliseconds(try r.int("t", 0...Int64.max / 4))
        let tag = try r.next("input")
        let input: FirmwareInput
        switch tag {
        case "R":
          let kind = String(try r.next("kind"))
          var rest: [Substring] = []
          while !r.atEnd { rest.append(try r.next("field")) }
          var bytes = Array("\(kind),0".utf8)
          for field in rest {
            bytes.append(UInt8(ascii: ","))
            bytes.append(contentsOf: field.utf8)
          }
          let request = try HostRequest(parsing: try ParsedFrame(FrameBody(bytes: bytes)))
          guard FirmwareInput.accepts(request) else {
            throw JournalError.corrupt(line: line, "request \(kind) is not a journal input")
          }
          input = .request(request)
        case "L": input = .hostLink(connected: try r.bool("connected"))
        case "X": input = .linkSecurity(alert: try r.bool("alert"))
        case "F":
          guard let code = FaultCode(rawValue: UInt8(try r.int("fault", 0...255))) else {
            throw JournalError.corrupt(line: line, "unknown fault code")
          }
          input = .fault(code)
        case "S": input = .selfTest(passed: try r.bool("passed"))
        default: throw JournalError.corrupt(line: line, "unknown input tag '\(tag)'")
        }
        try r.end()
        return (f.seq, .input(at: t, input))
      default:
        throw JournalError.corrupt(line: line, "unknown record kind '\(f.kind)'")
      }
    } catch let e as JournalError {
      throw e
    } catch {
      throw .corrupt(line: line, "\(error)")
    }
  }
}

/// What a journal belongs to. A journal whose header does not match the running pump is
/// foreign: the pump faults rather than trust or overwrite it.
public struct JournalHeader: Hashable, Sendable {
  public static let format = 1
  public var deviceId: String
  /// First 16 hex digits of SHA-256 over the device secret's role key fingerprint (never the key).
  public var keyFingerprint: String
  public var profileId: String
  /// First 16 hex digits of SHA-256 of the pump model file.
  public var profileDigest: String
  /// First 16 hex digits of the drug library's SHA-256.
  public var drugLibraryDigest: String

  public init(
    deviceId: String, keyFingerprint: String, profileId: String, profileDigest: String,
    drugLibraryDigest: String
  ) {
    self.deviceId = deviceId
    self.keyFingerprint = keyFingerprint
    self.profileId = profileId
    self.profileDigest = profileDigest
    self.drugLibraryDigest = drugLibraryDigest
  }

  /// The first field that differs from `other`, as "name: ours vs theirs".
  public func mismatch(_ other: JournalHeader) -> String? {
    if deviceId != other.deviceId { return "device id \(other.deviceId), expected \(deviceId)" }
    if keyFingerprint != other.keyFingerprint { return "written under a different device key" }
    if profileId != other.profileId { return "profile \(other.profileId), expected \(profileId)" }
    if profileDigest != other.profileDigest { return "profile \(profileId) file changed" }
    if drugLibraryDigest != other.drugLibraryDigest { return "drug library changed" }
    return nil
  }
}

/// Why a journal cannot be used. Each leaves the journal file untouched.
public enum JournalError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A record before the last one is damaged, out of order or unknown.
  case corrupt(line: Int, String)
  /// The journal belongs to another pump, key, profile or drug library.
  case foreign(String)
  /// An I/O error (errno) on the journal or clock file.
  case io(path: String, errno: Int32, String)
  case recordTooLong(seq: UInt32)

  public var description: String {
    switch self {
    case .corrupt(let line, let why): "journal corrupt at record line \(line): \(why)"
    case .foreign(let why): "journal belongs to another pump: \(why)"
    case .io(let path, let errno, let what): "\(path): \(what) (errno \(errno))"
    case .recordTooLong(let seq): "journal record \(seq) too long"
    }
  }
}
