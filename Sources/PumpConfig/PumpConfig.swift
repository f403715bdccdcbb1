// PumpConfig: placeholder until its issue lands.
