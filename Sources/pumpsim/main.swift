// pumpsim: the KetaPump firmware on a virtual serial port (issue #5).
print("pumpsim: not built yet")
