import Testing

@testable import PumpConfig

@Suite("Digests")
struct DigestTests {
  @Test(
    "REQ-DRUGLIB-DIGEST-01: digests are SHA-256 as 64 lowercase hex digits (FIPS 180-4 vectors)",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
    ])
  func vectors(input: String, digest: String) {
    #expect(sha256Hex(Array(input.utf8)) == digest)
  }

  @Test("REQ-DRUGLIB-DIGEST-01: the library digest changes with any byte of the file")
  func libraryDigest() throws {
    let a = try PumpConfig.loadDrugLibrary(yaml: TestYAML.library)
    let b = try PumpConfig.loadDrugLibrary(yaml: TestYAML.library + "# comment\n")
    #expect(a.sha256 != b.sha256)
    #expect(a.entries == b.entries)
  }
}
