/// Why a command line could not be turned into a request. `description` is one line that names
/// the bad word and what was expected; scripts prefix it with `file:line`.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
