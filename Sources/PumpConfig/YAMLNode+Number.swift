extension YAMLNode {
  /// A plain YAML number (integer or decimal, no quotes, no exponent) within `range`.
  func number(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
    guard case .scalar(let s) = node else {
      throw error("expected a number, got \(found)")
    }
    guard s.style == .plain else {
      throw error("expected a number, got quoted text \(found)")
    }
    let body = s.string.hasPrefix("-") ? s.string.dropFirst() : Substring(s.string)
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count),
      parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
      let value = Double(s.string)
    else {
      throw error("expected a number, got \(found)")
    }
    guard range.contains(value) else {
      throw error("\(s.string) is out of range \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }
}
