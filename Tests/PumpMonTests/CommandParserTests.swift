import PumpCore
import PumpHost
import PumpProtocol
import Testing

@Suite("CommandParser")
struct CommandParserTests {
  static let cases: [(String, HostRequest)] = [
    ("start", .start), ("PAUSE", .pause), ("resume", .resume), ("bolus", .patientBolus),
    ("ack", .acknowledgeAlarms), ("silence", .audioPause), ("reset", .clinicianReset),
    ("status", .status), ("alarms 2", .alarms(offset: 2)), ("log 3", .logTail(back: 3)),
    ("telemetry 10", .setTelemetry(hertz: 10)),
    ("rate 6mg/h", .changeBasalRate(MicrogramsPerHour(6000))),
    ("rate 6 mg/h", .changeBasalRate(MicrogramsPerHour(6000))),
    ("cbolus 2mg", .clinicianBolus(Micrograms(2000))),
    ("vitals sbp=120 hr=80", .vitals(VitalsSample(sbp: 120, hr: 80))),
    ("inject downstream 12psi", .inject(.downstreamPressure(MilliPSI(12_000)))),
    ("inject pressure upstream 2 psi", .inject(.upstreamPressure(MilliPSI(2000)))),
    ("inject door open", .inject(.door(open: true))),
    ("inject air 60uL", .inject(.airBubble(Microliters(60)))),
    ("inject battery 10min", .inject(.batteryRemaining(.minutes(10)))),
    ("inject motor stall on", .inject(.motorStall(true))),
    ("inject reservoir 60mL", .inject(.reservoir(Microliters(60_000)))),
    ("clock advance 60s", .clock(.advance(.seconds(60)))),
    ("clock mode virtual", .clock(.mode(.virtual))),
  ]

  @Test(
    "REQ-MON-CMD-01: commands people type become HostRequests; CommandText prints what parses back",
    arguments: Array(CommandParserTests.cases.indices))
  func parses(_ i: Int) throws {
    let (text, request) = Self.cases[i]
    let c = try CommandParser.parse(text)
    #expect(c.request == request)
    #expect(try CommandParser.parse(CommandText.of(c.request)).request == request)
  }

  @Test(
    "REQ-MON-CMD-02: program key=value in human units is exact, every field or a named template, and the summary parses back"
  )
  func program() throws {
    let c = try CommandParser.parse(
      "program drug=1 area=acute_post_op conc=5mg/mL weight=70kg basal=5mg/h loading=0mg bolus=2mg bolus_rate=60mL/h lockout=10min max_per_hour=4 limit_1h=15mg limit_4h=40mg vtbi=60mL kvo=0.1mL/h rate_interval=1h"
    )
    guard case .program(let p) = c.request else {
      Issue.record("not a program")
      return
    }
    #expect(p == CommandParser.defaultPrescription)
    #expect(p.kvoRate == MicrolitersPerHour(100))
    #expect(p.lockout == .minutes(10))
    #expect(try CommandParser.parse(c.summary).request == c.request)
    let file = "template: ward-adult\nbasal: 6 mg/h   # titrated\nlockout: 15min\n"
    let f = try CommandParser.parse("program rx.yaml", readFile: { _ in file })
    guard case .program(let q) = f.request else {
      Issue.record("rx.yaml: not a program")
      return
    }
    #expect(q.basalRate == MicrogramsPerHour(6000))
    #expect(q.lockout == .minutes(15))
  }

  @Test(
    "REQ-MON-CMD-03: bad commands fail with a message naming the word and what was expected; delivery increases are flagged for confirmation"
  )
  func errors() {
    func message(_ s: String) -> String {
      do {
        _ = try CommandParser.parse(s)
        return ""
      } catch { return error.message }
    }
    #expect(message("fly").contains("unknown command 'fly'"))
    #expect(message("rate 6").contains("rate"))
    #expect(message("rate 6mg").contains("expected a mass rate"))
    #expect(message("program basal=0.0001mg/h").contains("finer than"))
    #expect(message("program color=red").contains("unknown field 'color'"))
    #expect(message("program template=icu").contains("unknown template 'icu'"))
    #expect(message("program template=ward-adult template=ward-adult").contains("given twice"))
    #expect(message("vitals sbp=1200").contains("0-999"))
    #expect(message("inject moon 1").contains("unknown target 'moon'"))
    #expect(message("start now").contains("takes no arguments"))
    #expect(message("").contains("expected a command"))
    for s in ["start", "resume", "bolus", "rate 6mg/h", "cbolus 1mg"] {
      #expect((try? CommandParser.parse(s))?.raisesDelivery == true, "\(s)")
    }
    for s in ["pause", "stop", "ack", "program template=ward-adult basal=5mg/h"] {
      #expect((try? CommandParser.parse(s))?.raisesDelivery == false, "\(s)")
    }
  }

  @Test(
    "REQ-MON-CMD-05: an omitted prescription field is an error naming every missing field (no silent default lockout or limit); a named template fills the rest and the summary prints every field"
  )
  func omittedFields() throws {
    do {
      _ = try CommandParser.parse("program basal=6mg/h bolus=2mg")
      Issue.record("an incomplete prescription was accepted")
    } catch {
      #expect(
        error.message.contains("missing drug, area, conc, weight, loading, bolus_rate, lockout"))
      #expect(error.message.contains("limit_1h, limit_4h"))
      #expect(error.message.contains("template=ward-adult"))
    }
    do {
      _ = try CommandParser.parse("program rx.yaml", readFile: { _ in "basal: 6 mg/h\n" })
      Issue.record("an incomplete prescription file was accepted")
    } catch { #expect(error.message.contains("missing drug")) }
    let c = try CommandParser.parse("program template=ward-adult lockout=15min")
    guard case .program(let p) = c.request else {
      Issue.record("not a program")
      return
    }
    var expected = CommandParser.defaultPrescription
    expected.lockout = .minutes(15)
    #expect(p == expected)
    #expect(c.summary.contains("lockout=15min"))
    #expect(c.summary.contains("limit_1h=15mg limit_4h=40mg"))
    #expect(try CommandParser.parse(c.summary).request == c.request)
  }
}
