// PumpProtocol: placeholder until its issue lands.
