import PumpCore

/// A self-contained HTML report (inline CSS and SVG, no scripts) — placeholder, filled below.
public enum HTMLReport {
  public static func html(_ results: [TraceResult]) -> String { "" }
}
