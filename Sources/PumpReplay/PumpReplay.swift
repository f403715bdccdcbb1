// PumpReplay: see docs/ARCHITECTURE.md; filled in by its issue.
