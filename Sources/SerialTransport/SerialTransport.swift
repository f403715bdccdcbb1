// SerialTransport: placeholder until its issue lands.
